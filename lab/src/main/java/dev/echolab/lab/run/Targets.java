package dev.echolab.lab.run;

import dev.echolab.common.Cli;
import dev.echolab.lab.peer.Peer;
import dev.echolab.server.Backend;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a lab command runs, as its options name it: {@code --backends all|none|ID,...} and
 * {@code --peers all|none|ID,...}. A bad id is a usage error naming the option (exit 2).
 */
public final class Targets {

    private Targets() {
    }

    /** The backend ids of {@code spec}, in the order given ({@code all}: the registry's order). */
    public static List<String> backends(String spec, CommandLine cl) {
        String s = spec.strip();
        if (s.equals("none")) {
            return List.of();
        }
        if (s.equals("all")) {
            return Arrays.stream(Backend.values()).map(Backend::id).toList();
        }
        List<String> ids = new ArrayList<>();
        for (String id : s.split(",")) {
            try {
                ids.add(Backend.fromId(id).id());
            } catch (IllegalArgumentException e) {
                throw Cli.invalidValue(cl, "--backends", e.getMessage());
            }
        }
        return ids;
    }

    /** The peers of {@code spec} ({@link Peer#parse}). */
    public static List<Peer> peers(String spec, CommandLine cl) {
        try {
            return new ArrayList<>(Peer.parse(spec));
        } catch (IllegalArgumentException e) {
            throw Cli.invalidValue(cl, "--peers", e.getMessage());
        }
    }
}
