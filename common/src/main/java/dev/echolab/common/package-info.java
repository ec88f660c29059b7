/**
 * What every echolab command shares, written once.
 *
 * <ul>
 *   <li>{@link dev.echolab.common.Cli}: the command-line contract of docs/design.md: how a bad
 *       value is refused (one line naming the option, the value and what is valid, then the usage,
 *       exit 2), how a runtime failure is reported (one line, exit 1), and the converters every
 *       command registers.</li>
 *   <li>{@link dev.echolab.common.Durations}: the one grammar for durations ({@code 5s},
 *       {@code 1.5s}, {@code 500ms}, {@code 250us}, {@code 2m}) and how they are printed back.</li>
 *   <li>{@link dev.echolab.common.Descriptors}: this process's open-file limit and open descriptors,
 *       from /proc.</li>
 *   <li>{@link dev.echolab.common.Children}: child processes that stop when the command that
 *       started them stops, whatever stops it (SIGKILL included); {@link dev.echolab.common.Signals}:
 *       the signals that ask a command to stop.</li>
 * </ul>
 *
 * Start reading at {@link dev.echolab.common.Cli}.
 */
package dev.echolab.common;
