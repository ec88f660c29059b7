/**
 * The drivers: how the connections of a run are mapped onto threads. They send the same messages
 * on the same schedule, verify the same bytes and report to the same {@link dev.echolab.loadgen.Run};
 * only the threading differs, which is what a reader can compare.
 *
 * <ul>
 *   <li>{@code platform} and {@code virtual}: {@link dev.echolab.loadgen.driver.BlockingDriver}, one
 *       thread per connection running the blocking {@link dev.echolab.loadgen.driver.BlockingConnection}
 *       loop; the two differ only in the thread builder.</li>
 *   <li>{@code nio}: {@link dev.echolab.loadgen.driver.NioDriver}, selector threads
 *       ({@link dev.echolab.loadgen.driver.NioWorker}) multiplexing every connection
 *       ({@link dev.echolab.loadgen.driver.NioConnection}), opened by
 *       {@link dev.echolab.loadgen.driver.NioConnector}.</li>
 *   <li>{@link dev.echolab.loadgen.driver.Pacer}: the open loop's microsecond waits without spinning.</li>
 * </ul>
 */
package dev.echolab.loadgen.driver;
