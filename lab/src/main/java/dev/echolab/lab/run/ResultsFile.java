package dev.echolab.lab.run;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code results.json} of {@code bin/lab compare}, written and read by this one type: whether every
 * case ran (or which signal stopped the run), the lab's overall verdict, the environment, every case
 * as run ({@link CaseResult}, each repetition and its attempts) and the summary rows
 * ({@link Summary}). The schema is documented in docs/lab.md.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ResultsFile(boolean complete, String stoppedBy, String verdict, Object environment,
                          List<CaseResult> cases, List<Summary> summary) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The file for {@code cases}, with their summary and verdict; {@code stoppedBy} null when every case ran. */
    public static ResultsFile of(String stoppedBy, Object environment, List<CaseResult> cases) {
        return new ResultsFile(stoppedBy == null, stoppedBy, Verdict.overall(cases), environment, cases, Summary.of(cases));
    }

    public void write(Path file) throws IOException {
        JSON.writeValue(file.toFile(), this);
    }

    /**
     * Reads a results.json; the environment comes back as a map (the reader keeps what it holds
     * without needing the machine it describes).
     *
     * @throws IllegalArgumentException when the file is JSON but not a lab comparison's results
     */
    public static ResultsFile read(Path file) throws IOException {
        try {
            ResultsFile r = JSON.readValue(file.toFile(), ResultsFile.class);
            if (r.cases() == null || r.summary() == null || !(r.environment() instanceof Map<?, ?>)) {
                throw new IllegalArgumentException("not the results of bin/lab compare (no cases, summary and environment)");
            }
            return r;
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not the results of bin/lab compare: " + e.getOriginalMessage(), e);
        }
    }
}
