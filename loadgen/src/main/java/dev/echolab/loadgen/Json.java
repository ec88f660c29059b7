package dev.echolab.loadgen;

import java.util.Locale;

/**
 * A minimal JSON object writer: enough for the flat and nested numbers of a report, so the load
 * generator needs no JSON library. Keys are fixed identifiers; strings are escaped.
 */
final class Json {

    private final StringBuilder b = new StringBuilder();
    private boolean first = true;

    Json begin() {
        b.append('{');
        first = true;
        return this;
    }

    Json end() {
        b.append('}');
        first = false;
        return this;
    }

    Json object(String key) {
        key(key);
        return begin();
    }

    Json field(String key, long value) {
        key(key).append(value);
        return this;
    }

    Json field(String key, double value) {
        key(key).append(Double.isFinite(value) ? String.format(Locale.ROOT, "%.2f", value) : "null");
        return this;
    }

    Json field(String key, boolean value) {
        key(key).append(value);
        return this;
    }

    Json field(String key, String value) {
        StringBuilder k = key(key);
        if (value == null) {
            k.append("null");
        } else {
            quote(value);
        }
        return this;
    }

    Json nullField(String key) {
        key(key).append("null");
        return this;
    }

    @Override
    public String toString() {
        return b.toString();
    }

    private StringBuilder key(String key) {
        if (!first) {
            b.append(',');
        }
        first = false;
        quote(key);
        return b.append(':');
    }

    private void quote(String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
