package dev.baton.tls;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * One side of a mutual TLS connection between Baton and an agent: its own certificate and key, and the operator's CA
 * as the only trust anchor (the JDK's public CAs are never trusted here). The same context serves the agent (which
 * then requires a client certificate) and the orchestrator (which checks the agent's certificate names the host).
 */
public record TlsContexts(SSLContext context, X509TrustManager trust) {

    /** From PEM files: {@code ca} the operator's CA certificate, {@code certificate} + {@code key} this side's own. */
    public static TlsContexts fromPem(Path ca, Path certificate, Path key) throws IOException {
        X509Certificate own = PemFiles.readCertificate(certificate);
        PrivateKey privateKey = PemFiles.readPrivateKey(key);
        X509Certificate authority = PemFiles.readCertificate(ca);
        try {
            own.checkValidity();
        } catch (GeneralSecurityException e) {
            throw new IOException(certificate + ": " + e.getMessage(), e);
        }
        try {
            char[] none = new char[0];
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, none);
            keys.setKeyEntry("own", privateKey, none, new X509Certificate[]{own});
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, none);

            KeyStore anchors = KeyStore.getInstance("PKCS12");
            anchors.load(null, none);
            anchors.setCertificateEntry("baton-ca", authority);
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(anchors);
            X509TrustManager trust = null;
            for (TrustManager manager : trustManagers.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) trust = x509;
            }
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(keyManagers.getKeyManagers(), new TrustManager[]{trust}, null);
            return new TlsContexts(context, trust);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot build a TLS context from " + certificate + " and " + key + ": " + e.getMessage(), e);
        }
    }
}
