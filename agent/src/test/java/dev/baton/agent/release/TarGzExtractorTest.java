package dev.baton.agent.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TarGzExtractorTest {

    /** Small caps, so that "too large" and "too many" archives stay small. */
    private static final long MAX_BYTES = 64 * 1024;
    private static final int MAX_ENTRIES = 20;

    @TempDir
    Path temp;
    private Path archives;
    private Path target;

    @BeforeEach
    void layout() throws IOException {
        archives = Files.createDirectories(temp.resolve("archives"));
        // Deep enough that "../evil" and "../../evil" still land inside the temp dir, where the test can see them.
        target = Files.createDirectories(temp.resolve("a/b/c")).resolve("release");
    }

    @Test
    void extractsFilesAndDirectoriesKeepingModesButNotSetuid() throws IOException {
        Path archive = tarGz(dir("./"), dir("./bin/"), file("./bin/app", 04755, "#!/bin/sh\necho hi\n"),
                file("README", 0644, "read me"), file("deep/er/file", 0600, "x"));

        extractor().extract(archive, target);

        assertThat(target.resolve("bin/app")).hasContent("#!/bin/sh\necho hi");
        assertThat(mode(target.resolve("bin/app"))).isEqualTo("rwxr-xr-x");
        assertThat(mode(target.resolve("README"))).isEqualTo("rw-r--r--");
        assertThat(target.resolve("deep/er/file")).hasContent("x");
    }

    @Test
    void readsPaxAndGnuLongNamesInsideTheRelease() throws IOException {
        String longName = "d/" + "n".repeat(150);
        Path archive = tarGz(pax("path", longName), file("placeholder", 0644, "pax"),
                gnuLongName("g/" + "m".repeat(120)), file("placeholder2", 0644, "gnu"));

        extractor().extract(archive, target);

        assertThat(target.resolve(longName)).hasContent("pax");
        assertThat(target.resolve("g/" + "m".repeat(120))).hasContent("gnu");
    }

    static Stream<Arguments> maliciousArchives() {
        byte[] fiveBytes = "hello".getBytes(StandardCharsets.US_ASCII);
        return Stream.of(
                malicious("parent directory", "escapes the release directory", file("../evil", 0644, "x")),
                malicious("two levels up", "escapes the release directory", file("../../evil", 0644, "x")),
                malicious("absolute path", "escapes the release directory", file("/tmp/baton-evil", 0644, "x")),
                malicious("up through a subdirectory", "escapes the release directory",
                        file("sub/../../evil", 0644, "x")),
                malicious("dot then up", "escapes the release directory", file("./../evil", 0644, "x")),
                malicious("directory outside", "escapes the release directory", dir("../evil-dir/")),
                malicious("pax path going up", "escapes the release directory",
                        pax("path", "../../evil"), file("harmless", 0644, "x")),
                malicious("GNU long name going up", "escapes the release directory",
                        gnuLongName("../" + "x".repeat(110)), file("harmless", 0644, "x")),
                malicious("symlink to /etc/passwd", "is a link", link('2', "passwd", "/etc/passwd")),
                malicious("symlink up and out", "is a link", link('2', "up", "../../../../")),
                malicious("symlink then a file through it", "is a link",
                        link('2', "sub", "/tmp"), file("sub/evil", 0644, "x")),
                malicious("hard link to /etc/passwd", "is a link", link('1', "shadow", "/etc/passwd")),
                malicious("character device", "device or fifo", special('3', "null")),
                malicious("block device", "device or fifo", special('4', "sda")),
                malicious("fifo", "device or fifo", special('6', "pipe")),
                malicious("negative base-256 size", "not a valid tar archive",
                        raw("negative", '0', base256(-1_000_000), new byte[0])),
                malicious("base-256 size beyond the cap", "expands to more than",
                        raw("huge", '0', base256(1L << 40), new byte[0])),
                malicious("octal size beyond the cap", "expands to more than",
                        raw("big", '0', octal(MAX_BYTES + 1), new byte[0])),
                malicious("sizes that together pass the cap", "expands to more than",
                        file("one", 0644, "x".repeat((int) MAX_BYTES / 2)),
                        file("two", 0644, "y".repeat((int) MAX_BYTES / 2)),
                        file("three", 0644, "z")),
                malicious("size header smaller than a pax size", "expands to more than",
                        pax("size", Long.toString(MAX_BYTES * 4)), raw("paxsize", '0', octal(5), fiveBytes)),
                malicious("too many entries", "more than " + MAX_ENTRIES + " entries", manyFiles(MAX_ENTRIES + 1)),
                malicious("truncated content", "not a valid tar archive",
                        raw("short", '0', octal(4096), new byte[100])),
                malicious("a file where a directory must go", "is not one",
                        file("bin", 0644, "x"), file("bin/app", 0755, "x")),
                malicious("hard link to a file of the release", "is a link",
                        file("real", 0644, "x"), link('1', "copy", "real")),
                malicious("NUL inside a pax path", "escapes the release directory",
                        pax("path", "ok\0/../../evil"), file("harmless", 0644, "x")),
                malicious("sparse file", "unsupported type", special('S', "sparse")),
                malicious("2 MiB GNU long name", "oversized header",
                        gnuLongName("n".repeat(2 << 20)), file("harmless", 0644, "x")),
                malicious("2 MiB pax record", "oversized header",
                        pax("comment", "c".repeat(2 << 20)), file("harmless", 0644, "x")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("maliciousArchives")
    void refusesMaliciousArchivesLeavingNothingBehind(String description, String expectedError, byte[] tar)
            throws IOException {
        Path archive = gzip(tar);
        List<String> before = tree(temp);

        assertThatThrownBy(() -> extractor().extract(archive, target))
                .as(description)
                .isInstanceOf(IOException.class)
                .hasMessageContaining(expectedError)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));

        assertThat(target).as("the release directory is removed").doesNotExist();
        assertThat(tree(temp)).as("nothing was written anywhere else").isEqualTo(before);
        assertThat(Path.of("/tmp/baton-evil")).doesNotExist();
    }

    @Test
    void refusesSomethingThatIsNotATarGz() throws IOException {
        Path archive = Files.writeString(archives.resolve("junk.tar.gz"), "not gzip at all");
        assertThatThrownBy(() -> extractor().extract(archive, target))
                .isInstanceOf(IOException.class).hasMessageContaining("not a valid .tar.gz");
        assertThat(target).doesNotExist();
    }

    // ---- archive building: every header field written by hand, so that headers can lie

    private static Arguments malicious(String description, String expectedError, byte[]... entries) {
        return Arguments.of(description, expectedError, concat(entries));
    }

    private TarGzExtractor extractor() {
        return new TarGzExtractor(MAX_BYTES, MAX_ENTRIES);
    }

    private static byte[] file(String name, int mode, String content) {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        return entry(name, '0', mode, octal(data.length), data, "");
    }

    private static byte[] dir(String name) {
        return entry(name, '5', 0755, octal(0), new byte[0], "");
    }

    private static byte[] link(char type, String name, String target) {
        return entry(name, type, 0777, octal(0), new byte[0], target);
    }

    private static byte[] special(char type, String name) {
        return entry(name, type, 0644, octal(0), new byte[0], "");
    }

    private static byte[] raw(String name, char type, byte[] sizeField, byte[] data) {
        return entry(name, type, 0644, sizeField, data, "");
    }

    private static byte[] pax(String key, String value) {
        String record = " " + key + "=" + value + "\n";
        int length = record.getBytes(StandardCharsets.UTF_8).length;
        int total = length + Integer.toString(length).length();
        total = length + Integer.toString(total).length();
        byte[] data = (total + record).getBytes(StandardCharsets.UTF_8);
        return entry("PaxHeader", 'x', 0644, octal(data.length), data, "");
    }

    private static byte[] gnuLongName(String name) {
        byte[] data = (name + "\0").getBytes(StandardCharsets.UTF_8);
        return entry("././@LongLink", 'L', 0644, octal(data.length), data, "");
    }

    private static byte[] manyFiles(int count) {
        List<byte[]> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            entries.add(file("f" + i, 0644, "x"));
        }
        return concat(entries.toArray(new byte[0][]));
    }

    private static byte[] octal(long size) {
        return String.format("%011o", size).getBytes(StandardCharsets.US_ASCII);
    }

    /** GNU base-256: the high bit of the first byte set, then the two's-complement value big-endian. */
    private static byte[] base256(long value) {
        byte[] field = new byte[12];
        for (int i = 11; i >= 4; i--) {
            field[i] = (byte) (value >> (8 * (11 - i)));
        }
        byte fill = (byte) (value < 0 ? 0xff : 0);
        for (int i = 0; i < 4; i++) {
            field[i] = fill;
        }
        field[0] = (byte) (value < 0 ? 0xff : 0x80);
        return field;
    }

    private static byte[] entry(String name, char type, int mode, byte[] sizeField, byte[] data, String linkName) {
        byte[] header = new byte[512];
        put(header, 0, name.getBytes(StandardCharsets.UTF_8), 100);
        put(header, 100, String.format("%07o", mode).getBytes(StandardCharsets.US_ASCII), 8);
        put(header, 108, "0000000".getBytes(StandardCharsets.US_ASCII), 8);
        put(header, 116, "0000000".getBytes(StandardCharsets.US_ASCII), 8);
        put(header, 124, sizeField, 12);
        put(header, 136, "00000000000".getBytes(StandardCharsets.US_ASCII), 12);
        header[156] = (byte) type;
        put(header, 157, linkName.getBytes(StandardCharsets.UTF_8), 100);
        put(header, 257, "ustar\0".getBytes(StandardCharsets.US_ASCII), 6);
        put(header, 263, "00".getBytes(StandardCharsets.US_ASCII), 2);
        Arrays.fill(header, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        put(header, 148, String.format("%06o\0", sum).getBytes(StandardCharsets.US_ASCII), 7);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header);
        out.writeBytes(data);
        out.writeBytes(new byte[(512 - data.length % 512) % 512]);
        return out.toByteArray();
    }

    private static void put(byte[] header, int offset, byte[] bytes, int length) {
        System.arraycopy(bytes, 0, header, offset, Math.min(bytes.length, length));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private Path tarGz(byte[]... entries) throws IOException {
        byte[] tar = concat(concat(entries), new byte[1024]);
        return gzip(tar);
    }

    /** Malicious archives get no end-of-archive blocks: the reader must stop on its own. */
    private Path gzip(byte[] tar) throws IOException {
        Path file = Files.createTempFile(archives, "test", ".tar.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(tar);
        }
        return file;
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private static List<String> tree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }
}
