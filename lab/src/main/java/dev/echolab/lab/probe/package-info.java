/**
 * {@code bin/lab probe}: the facts the Java side already knows, told to scripts (bench/) so that
 * none of them is written again in bash: when a server is ready and on which port, how many
 * processes N connections need, a duration in the unit a foreign tool takes, and a server's /proc
 * readings ({@link dev.echolab.lab.sample.Reading}) as JSON Lines.
 */
package dev.echolab.lab.probe;
