package dev.baton.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM files as the JDK reads them without any provider of ours: X.509 certificates, and private keys in PKCS#8
 * ("BEGIN PRIVATE KEY"). Private keys are written owner-only (0600) and never over an existing file.
 */
public final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private PemFiles() {
    }

    public static void writeCertificate(Path file, X509Certificate certificate) throws IOException {
        try {
            write(file, pem("CERTIFICATE", certificate.getEncoded()), false);
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IOException("cannot encode the certificate: " + e.getMessage(), e);
        }
    }

    public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
        write(file, pem("PRIVATE KEY", key.getEncoded()), true);
    }

    public static X509Certificate readCertificate(Path file) throws IOException {
        byte[] der = block(file, "CERTIFICATE");
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": not an X.509 certificate: " + e.getMessage(), e);
        }
    }

    /** A key readable by group or others is refused, as ssh refuses one: whoever could read it could be us. */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        try {
            java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                throw new IOException(file + " is accessible by group or others (" + PosixFilePermissions.toString(perms)
                        + "): chmod 600 it");
            }
        } catch (UnsupportedOperationException notPosix) {
            // a file system without POSIX permissions: nothing to check
        }
        byte[] der = block(file, "PRIVATE KEY");
        for (String algorithm : new String[]{"EC", "RSA", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException(file + ": not a PKCS#8 EC, RSA or Ed25519 private key");
    }

    public static KeyPair readKeyPair(Path certificate, Path key) throws IOException {
        return new KeyPair(readCertificate(certificate).getPublicKey(), readPrivateKey(key));
    }

    private static byte[] block(Path file, String type) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(type)) return Base64.getMimeDecoder().decode(m.group(2));
        }
        throw new IOException(file + ": no PEM " + type + " block");
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void write(Path file, String content, boolean secret) throws IOException {
        if (Files.exists(file)) throw new IOException(file + " exists already: remove it first to replace it");
        if (secret) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, content, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        } else {
            Files.writeString(file, content, StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
        }
    }
}
