package dev.echolab.lab.run;

import dev.echolab.lab.sample.KernelBill;
import picocli.CommandLine.Option;

import java.io.PrintStream;

/** {@code --[no-]kernel-bill}, the one option of {@link KernelBill}, shared by the commands that run cases (a picocli mixin). */
public final class KernelBillOption {

    @Option(names = "--kernel-bill", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Count each server's system calls and context switches per message with perf, and look at where "
                    + "its threads wait (--no-kernel-bill: don't) (default: on).")
    boolean on;

    public boolean on() {
        return on;
    }

    /** Tells {@code runner}; when the bill is asked for and perf cannot count here, says so once on {@code err} (the tables say it again). */
    public void applyTo(CaseRunner runner, PrintStream err) {
        runner.kernelBill = on;
        if (on) {
            KernelBill.unavailableHere().ifPresent(why -> err.println("kernel bill unavailable: " + why));
        }
    }
}
