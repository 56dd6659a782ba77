package dev.paddock.client;

/** One identity of the session, as whoAmI reports it. */
public record ClientInfo(String authScheme, String user) {}
