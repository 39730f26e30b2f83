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
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarGzExtractorTest {

    @TempDir
    Path temp;

    @Test
    void extractsFilesAndDirectoriesKeepingModes() throws IOException {
        Path archive = tarGz(new Entry("./", '5', 0755, ""), new Entry("./bin/", '5', 0755, ""),
                new Entry("./bin/app", '0', 0755, "#!/bin/sh\necho hi\n"), new Entry("README", '0', 0644, "read me"));

        Path target = temp.resolve("out");
        new TarGzExtractor().extract(archive, target);

        assertThat(target.resolve("bin/app")).hasContent("#!/bin/sh\necho hi");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("bin/app"))))
                .isEqualTo("rwxr-xr-x");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("README"))))
                .isEqualTo("rw-r--r--");
    }

    @Test
    void refusesEntriesThatEscape() throws IOException {
        for (String name : new String[] {"../evil", "/etc/evil", "a/../../evil", "./../evil"}) {
            Path archive = tarGz(new Entry(name, '0', 0644, "x"));
            assertThatThrownBy(() -> new TarGzExtractor().extract(archive, temp.resolve("out-" + name.hashCode())))
                    .as(name).isInstanceOf(IOException.class).hasMessageContaining("escapes");
        }
        assertThat(temp.resolve("evil")).doesNotExist();
        assertThat(temp.getParent().resolve("evil")).doesNotExist();
    }

    @Test
    void refusesLinks() throws IOException {
        Path archive = tarGz(new Entry("link", '2', 0777, ""));
        assertThatThrownBy(() -> new TarGzExtractor().extract(archive, temp.resolve("out")))
                .isInstanceOf(IOException.class).hasMessageContaining("link");
    }

    @Test
    void refusesSomethingThatIsNotATarGz() throws IOException {
        Path archive = Files.writeString(temp.resolve("junk.tar.gz"), "not gzip at all");
        assertThatThrownBy(() -> new TarGzExtractor().extract(archive, temp.resolve("out")))
                .isInstanceOf(IOException.class).hasMessageContaining("not a valid .tar.gz");
    }

    private record Entry(String name, char type, int mode, String content) {
    }

    private Path tarGz(Entry... entries) throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        for (Entry entry : entries) {
            byte[] data = entry.content().getBytes(StandardCharsets.UTF_8);
            byte[] header = new byte[512];
            put(header, 0, entry.name(), 100);
            put(header, 100, String.format("%07o", entry.mode()), 8);
            put(header, 108, "0000000", 8);
            put(header, 116, "0000000", 8);
            put(header, 124, String.format("%011o", data.length), 12);
            put(header, 136, "00000000000", 12);
            header[156] = (byte) entry.type();
            put(header, 257, "ustar", 6);
            put(header, 263, "00", 2);
            for (int i = 148; i < 156; i++) {
                header[i] = ' ';
            }
            int sum = 0;
            for (byte b : header) {
                sum += b & 0xff;
            }
            put(header, 148, String.format("%06o", sum), 7);
            tar.write(header);
            tar.write(data);
            tar.write(new byte[(512 - data.length % 512) % 512]);
        }
        tar.write(new byte[1024]);
        Path file = Files.createTempFile(temp, "test", ".tar.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(tar.toByteArray());
        }
        return file;
    }

    private static void put(byte[] header, int offset, String text, int length) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(bytes, 0, header, offset, Math.min(bytes.length, length));
    }
}
