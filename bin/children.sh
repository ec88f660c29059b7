# Sourced by every bash script here that starts processes (bin/demo, bench/*): the bash half of
# the project's one rule for child processes (docs/design.md, "Signals and child processes"), the
# Java half being dev.echolab.common.Children.
#
#   child CMD [ARGS...] [> log]     starts CMD in the background; $! is its PID
#   nap SECONDS                     sleeps, and a signal ends the nap at once
#   stop_children                   SIGTERM to every child, SIGKILL to any left 5 s later
#
# Whatever ends the script, its children stop too:
# - EXIT, INT, TERM, HUP: the traps below run stop_children (and exit 128 + the signal's number);
# - SIGKILL, where no trap runs: each child was started through util-linux's
#   `setpriv --pdeathsig TERM`, so the kernel sends it SIGTERM when the script dies.
# Call `child` from the script's own shell, not from a subshell: the parent-death signal follows
# the process that started the child. Wait for a child with `wait "$pid"`, which a signal
# interrupts; a command in the foreground (a plain `sleep 10` too) holds the traps until it ends.

ECHOLAB_CHILDREN=()

child() {
    if [ -x /usr/bin/setpriv ]; then
        /usr/bin/setpriv --pdeathsig TERM -- "$@" &
    else
        "$@" &
    fi
    ECHOLAB_CHILDREN+=("$!")
}

nap() {
    child sleep "$1"
    wait "$!"
    unset 'ECHOLAB_CHILDREN[-1]'
}

stop_children() {
    local pid left=()
    for pid in "${ECHOLAB_CHILDREN[@]}"; do
        kill -TERM "$pid" 2> /dev/null && left+=("$pid")
    done
    for _ in $(seq 50); do
        local alive=()
        for pid in "${left[@]}"; do kill -0 "$pid" 2> /dev/null && alive+=("$pid"); done
        left=("${alive[@]}")
        [ ${#left[@]} -eq 0 ] && break
        sleep 0.1
    done
    for pid in "${left[@]}"; do kill -KILL "$pid" 2> /dev/null; done
    for pid in "${ECHOLAB_CHILDREN[@]}"; do wait "$pid" 2> /dev/null; done
    ECHOLAB_CHILDREN=()
}

trap stop_children EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
