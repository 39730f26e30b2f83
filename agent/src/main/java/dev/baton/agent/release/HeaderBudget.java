package dev.baton.agent.release;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Bounds how much of the archive one step to the next entry may read. Commons Compress holds a pax header or a GNU
 * long name in memory while it reads it, whatever size the header claims; counting the bytes it consumes while
 * looking for an entry keeps a crafted archive from filling the agent's heap.
 */
final class HeaderBudget extends FilterInputStream {

    private long left = -1;

    HeaderBudget(InputStream in) {
        super(in);
    }

    /** Counts from now on: more than {@code bytes} read before {@link #disarm()} is an error. */
    void arm(long bytes) {
        left = bytes;
    }

    void disarm() {
        left = -1;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            spend(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            spend(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        if (skipped > 0) {
            spend(skipped);
        }
        return skipped;
    }

    private void spend(long bytes) throws IOException {
        if (left < 0) {
            return;
        }
        left -= bytes;
        if (left < 0) {
            throw new IOException("artifact has an oversized header (pax or long name)");
        }
    }
}
