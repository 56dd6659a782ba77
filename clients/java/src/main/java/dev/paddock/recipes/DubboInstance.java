package dev.paddock.recipes;

import java.util.Map;

/**
 * One instance in Dubbo 3's application-level layout ({@link DubboApplications}): its
 * application, id ({@code <address>:<port>} by default), address, port and Dubbo's string
 * metadata ({@code dubbo.endpoints}, {@code dubbo.metadata.revision}, …).
 */
public record DubboInstance(
    String app,
    String id,
    String address,
    int port,
    Map<String, String> metadata,
    long registrationTimeUtc) {}
