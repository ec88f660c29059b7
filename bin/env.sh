# Sourced by the launchers in bin/: finds a JDK >= 25 and builds the jars when they are missing
# or older than the sources. Nobody has to set JAVA_HOME by hand.

ECHOLAB_HOME=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)

# Major version of the java at $1 (e.g. 17, 21, 25), or nothing if it does not run.
# The oldest JDK that builds and runs echolab: 25, the long-term release with the final Foreign
# Function & Memory API (the uring backend calls io_uring through it; FFM is final since 22).
ECHOLAB_MIN_JAVA=25

echolab_java_major() {
    "$1" -XshowSettings:properties -version 2>&1 |
        sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

echolab_find_java() {
    local candidate major best="" best_major=0
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
        major=$(echolab_java_major "$JAVA_HOME/bin/java")
        if [ "${major:-0}" -ge "$ECHOLAB_MIN_JAVA" ]; then
            echo "$JAVA_HOME"
            return 0
        fi
    fi
    if candidate=$(command -v java 2>/dev/null); then
        major=$(echolab_java_major "$candidate")
        if [ "${major:-0}" -ge "$ECHOLAB_MIN_JAVA" ]; then
            candidate=$(readlink -f "$candidate")
            echo "${candidate%/bin/java}"
            return 0
        fi
    fi
    for candidate in /usr/lib/jvm/*/bin/java; do
        [ -x "$candidate" ] || continue
        major=$(echolab_java_major "$candidate")
        if [ "${major:-0}" -ge "$ECHOLAB_MIN_JAVA" ] && [ "$major" -gt "$best_major" ]; then
            best=${candidate%/bin/java}
            best_major=$major
        fi
    done
    if [ -n "$best" ]; then
        echo "$best"
        return 0
    fi
    return 1
}

if ! JAVA_HOME=$(echolab_find_java); then
    echo "echolab needs a JDK $ECHOLAB_MIN_JAVA or newer: install one (e.g. 'apt-get install openjdk-25-jdk' or Temurin 25) or set JAVA_HOME to it" >&2
    exit 1
fi
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"

# Builds the project's jars (tests skipped) when $1 is missing or older than any source or pom.
# A lock keeps launchers started together from running two builds in one tree.
echolab_ensure_jar() {
    local jar=$1
    echolab_jar_fresh "$jar" && return 0
    mkdir -p "$ECHOLAB_HOME/target"
    (
        flock 9
        echolab_jar_fresh "$jar" && exit 0
        echo "building echolab (first run or sources changed) ..." >&2
        if ! (cd "$ECHOLAB_HOME" && ./mvnw -q -B -DskipTests package >&2); then
            echo "build failed; run '$ECHOLAB_HOME/mvnw -B package' to see why" >&2
            exit 1
        fi
    ) 9>"$ECHOLAB_HOME/target/.build.lock" || exit 1
}

echolab_jar_fresh() {
    [ -f "$1" ] && [ -z "$(find "$ECHOLAB_HOME" -path '*/target' -prune -o -path '*/node_modules' -prune -o \
        \( -name '*.java' -o -name pom.xml \) -newer "$1" -print -quit)" ]
}

# JVM options for every tool (each one's reason is in docs/performance.md):
# - native access for Netty's epoll and io_uring libraries (no warning on JDK 24+);
# - a larger Integer cache: the JDK's epoll Selector looks up each ready key by its boxed file
#   descriptor, which allocates an Integer per event once descriptors pass 127;
# - sun.nio.ch opened to Netty, so its NIO transport can use its array-backed selected-key set
#   instead of the JDK's HashSet (an allocation per ready key).
JAVA_OPTS=(--enable-native-access=ALL-UNNAMED -XX:AutoBoxCacheMax=20000
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=true
    ${ECHOLAB_JAVA_OPTS:-})
