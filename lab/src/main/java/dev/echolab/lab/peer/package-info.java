/**
 * The references: {@link dev.echolab.lab.peer.Peer} lists the echo servers in C, Go and Python
 * from {@code peers/} and how each is built and started;
 * {@link dev.echolab.lab.peer.Toolchain} finds the compilers and the Python they need, and says
 * what to install when one is missing.
 */
package dev.echolab.lab.peer;
