package dev.baton.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokensFileTest {
    @TempDir
    Path dir;

    private Path file(String text) throws Exception {
        Path file = dir.resolve("tokens");
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    @Test
    void linesOfRoleAndToken() throws Exception {
        TokensFile.Loaded loaded = TokensFile.load(file("# who may do what\nviewer v-123\n\ndeployer d-456  \nadmin a-789\n"));
        assertThat(loaded.warnings()).isEmpty();
        assertThat(loaded.tokens().size()).isEqualTo(3);
        assertThat(loaded.tokens().authenticate("Bearer v-123")).contains(Role.VIEWER);
        assertThat(loaded.tokens().authenticate("Bearer d-456")).contains(Role.DEPLOYER);
        assertThat(loaded.tokens().authenticate("bearer a-789")).contains(Role.ADMIN);
        assertThat(loaded.tokens().authenticate("Bearer a-78")).isEmpty();
        assertThat(loaded.tokens().authenticate("a-789")).isEmpty();
        assertThat(loaded.tokens().authenticate(null)).isEmpty();
    }

    @Test
    void yamlMappingOfRoleToTokensOrAListOfEntries() throws Exception {
        Tokens mapping = TokensFile.load(file("viewer: v-1\ndeployer: [d-1, d-2]\n")).tokens();
        assertThat(mapping.authenticate("Bearer d-2")).contains(Role.DEPLOYER);
        assertThat(mapping.authenticate("Bearer v-1")).contains(Role.VIEWER);
        Tokens list = TokensFile.load(file("tokens:\n  - { role: admin, token: \"a-1\" }\n  - role: viewer\n    token: v-2\n")).tokens();
        assertThat(list.authenticate("Bearer a-1")).contains(Role.ADMIN);
        assertThat(list.authenticate("Bearer v-2")).contains(Role.VIEWER);
    }

    @Test
    void eachTokenHasANameForTheAuditLogNeverItsValue() throws Exception {
        Tokens lines = TokensFile.load(file("deployer d-456 ci-pipeline\nviewer v-123\n")).tokens();
        assertThat(lines.identify("Bearer d-456")).contains(new Caller(Role.DEPLOYER, "ci-pipeline"));
        String unnamed = lines.identify("Bearer v-123").orElseThrow().name();
        assertThat(unnamed).matches("viewer-[0-9a-f]{8}").doesNotContain("v-123");
        Tokens yaml = TokensFile.load(file("tokens:\n  - { role: admin, token: a-1, name: ops-alice }\n")).tokens();
        assertThat(yaml.identify("Bearer a-1")).contains(new Caller(Role.ADMIN, "ops-alice"));
        Path badName = file("admin s3cr3t-token \u001b[2Jboss\n");
        assertThatThrownBy(() -> TokensFile.load(badName)).hasMessage(badName + ":1: a token name is letters, digits and . _ @ - "
                + "(at most 64), not \"?[2Jboss\"").satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
    }

    @Test
    void aMissingOrEmptyFileOrAnUnknownRoleIsOneLineThatNeverShowsAToken() throws Exception {
        assertThatThrownBy(() -> TokensFile.load(dir.resolve("nope"))).hasMessage(dir.resolve("nope") + ": no such tokens file");
        Path empty = file("# nothing\n\n");
        assertThatThrownBy(() -> TokensFile.load(empty)).hasMessageStartingWith(empty + ": no tokens");
        Path unknown = file("viewer v-1\nsuperuser s3cr3t-token\n");
        assertThatThrownBy(() -> TokensFile.load(unknown))
                .hasMessage(unknown + ":2: unknown role \"superuser\" (roles: viewer, deployer, admin)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
        Path yaml = file("root: s3cr3t-token\n");
        assertThatThrownBy(() -> TokensFile.load(yaml)).hasMessageContaining("unknown role \"root\"")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
        Path four = file("viewer s3cr3t extra words\n");
        assertThatThrownBy(() -> TokensFile.load(four)).hasMessageStartingWith(four + ":1: write \"role token [name]\"")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
        Path twice = file("viewer same-token\nadmin same-token\n");
        assertThatThrownBy(() -> TokensFile.load(twice)).hasMessageContaining("the same token is given for viewer and admin");
    }

    @Test
    void aFileEveryoneCanReadIsAWarning() throws Exception {
        Path file = file("viewer v-1\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(TokensFile.load(file).warnings()).singleElement().asString().contains("readable by every user").contains("chmod 600");
    }
}
