package dev.baton.api;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's TLS identity from the operator's PEM files: a certificate chain and its PKCS#8 private key
 * ({@code BEGIN PRIVATE KEY}: convert others with {@code openssl pkcs8 -topk8 -nocrypt}). Errors are one line.
 */
public record ServerTls(KeyStore keyStore, char[] password) {
    static final String ALIAS = "baton";
    private static final Pattern KEY = Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    /** A TLS set-up the server cannot start with. */
    public static final class Invalid extends Exception {
        Invalid(String message) {
            super(message);
        }
    }

    public static ServerTls load(Path certFile, Path keyFile) throws Invalid {
        List<? extends Certificate> chain;
        try {
            chain = List.copyOf(CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(certFile))));
        } catch (IOException e) {
            throw new Invalid("--tls-cert " + certFile + ": cannot read it: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new Invalid("--tls-cert " + certFile + ": not a PEM certificate");
        }
        if (chain.isEmpty()) throw new Invalid("--tls-cert " + certFile + ": no certificate in it");
        PrivateKey key = privateKey(keyFile, chain.get(0).getPublicKey().getAlgorithm());
        try {
            char[] password = Long.toHexString(new java.security.SecureRandom().nextLong()).toCharArray();
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, key, password, chain.toArray(new Certificate[0]));
            return new ServerTls(store, password);
        } catch (IOException | GeneralSecurityException e) {
            throw new Invalid("--tls-key " + keyFile + ": does not match --tls-cert " + certFile);
        }
    }

    private static PrivateKey privateKey(Path keyFile, String algorithm) throws Invalid {
        String pem;
        try {
            pem = Files.readString(keyFile, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new Invalid("--tls-key " + keyFile + ": cannot read it: " + e.getMessage());
        }
        Matcher m = KEY.matcher(pem);
        if (!m.find()) {
            throw new Invalid("--tls-key " + keyFile + ": expected a PEM \"BEGIN PRIVATE KEY\" (PKCS#8, unencrypted); "
                    + "convert with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(m.group(1));
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new Invalid("--tls-key " + keyFile + ": not a " + algorithm + " private key matching --tls-cert");
        }
    }
}
