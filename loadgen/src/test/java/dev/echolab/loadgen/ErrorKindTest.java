package dev.echolab.loadgen;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Failures are told apart by kind; running out of something on this machine is not the server's fault. */
class ErrorKindTest {

    @Test
    void connectsThatFailForLackOfLocalResourcesAreALocalLimit() {
        assertEquals("Too many open files (raise ulimit -n)", shortage(new SocketException("Too many open files")));
        assertEquals("Too many open files in system (the system's file table is full: raise fs.file-max)",
                shortage(new IOException("Too many open files in system")));
        assertEquals("Cannot assign requested address (out of local ports: widen net.ipv4.ip_local_port_range)",
                shortage(new BindException("Cannot assign requested address")));
        assertEquals("No buffer space available (the kernel is out of socket buffers)",
                shortage(new SocketException("No buffer space available")));
        assertEquals(ErrorKind.REFUSED, ErrorKind.ofConnect(new ConnectException("Connection refused")));
        assertEquals(ErrorKind.TIMEOUT, ErrorKind.ofConnect(new SocketTimeoutException("Connect timed out")));
        // Once connected, a shortage is not "could not be opened": it stays an ordinary failure.
        assertEquals(ErrorKind.OTHER, ErrorKind.of(new SocketException("No buffer space available")));
    }

    private static String shortage(IOException e) {
        assertEquals(ErrorKind.LOCAL_LIMIT, ErrorKind.ofConnect(e));
        return ErrorKind.shortage(e);
    }

    @Test
    void connectionsNotOpenedAreCountedInOneLineWithTheirCause() {
        Duration second = Duration.ofSeconds(1);
        Run run = new Run(Settings.builder().connections(5000).duration(second).warmup(Duration.ZERO).messages(1)
                .driver(DriverKind.NIO).connectTimeout(second).timeout(second).build());
        for (int id = 0; id < 1234; id++) {
            run.connectFailed(id, new SocketException("Too many open files"));
        }
        run.connectFailed(1234, new ConnectException("Connection refused"));
        Results r = Results.of(run, 0, new Histogram(3), null);
        assertEquals(1234, r.errors(ErrorKind.LOCAL_LIMIT));
        assertEquals("1,234 of 5,000 connections could not be opened: Too many open files (raise ulimit -n)",
                r.errorLine(ErrorKind.LOCAL_LIMIT));
        assertEquals("connection refused: 127.0.0.1:8080", r.errorLine(ErrorKind.REFUSED));
        assertEquals(1, r.exitStatus());
    }
}
