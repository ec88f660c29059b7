package dev.echolab.lab.render;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A chart the docs show as a PNG under {@code docs/images}. Its {@link #digest} names the numbers
 * it draws, written beside the image link, so a doc's block changes exactly when its picture would
 * and the check compares text, not pixels (fonts differ between machines; the numbers do not).
 */
interface Picture {

    String title();

    /** Whether there is nothing to draw (every figure judged disturbed, or none measured). */
    boolean empty();

    /** The numbers drawn, as text: what {@link #digest} hashes. */
    String numbers();

    byte[] png() throws IOException;

    default String digest() {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(numbers().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
