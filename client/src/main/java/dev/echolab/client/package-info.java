/**
 * {@code bin/client}: a line client for trying a server by hand.
 * {@link dev.echolab.client.ClientCommand} reads lines (or sends {@code --count} seed messages)
 * and prints each echo with its round-trip time; {@link dev.echolab.client.EchoClient} is the small
 * blocking connection under it: write a message, read exactly as many bytes back, compare.
 */
package dev.echolab.client;
