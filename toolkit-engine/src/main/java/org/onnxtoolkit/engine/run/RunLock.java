package org.onnxtoolkit.engine.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The advisory lock that keeps two processes from training into the same run folder at once: an exclusive
 * {@link FileLock} on {@value #FILE} inside the folder, held from before the first write until the command
 * ends. The operating system releases it when the process dies, however it dies, so a killed run never
 * leaves a stale lock; the file stays (removing it would let a process that opened the old file and one
 * that created a new one both hold "the" lock) and holds one line naming its last holder: pid, host and
 * since when (UTC).
 *
 * <p>Advisory: it binds toolkit processes only, and only on file systems with working locks (local disks,
 * most network file systems; where locking fails the command stops rather than train unprotected).
 * Thread-safe to close from any thread; one instance per acquisition.
 */
public final class RunLock implements AutoCloseable {
    /** The lock file's name inside the run folder. */
    public static final String FILE = "run.lock";

    private static final Pattern HOLDER = Pattern.compile("pid=(\\d+) host=(\\S+) since=(\\S+)");
    private static final int MAX_HOLDER_BYTES = 512;

    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of an existing run folder without waiting, and records this process as its holder.
     *
     * @throws RunFolderInUseException when another process (or another command in this JVM) holds it, with one
     *                           line naming the holder
     * @throws IOException       when the lock file cannot be opened or the file system cannot lock
     */
    public static RunLock acquire(Path runDir) throws IOException {
        Path file = runDir.resolve(FILE);
        if (Files.isSymbolicLink(file)) {
            throw new RunFolderInUseException("lock file " + file + " is a symbolic link; a run's lock file is a plain"
                    + " file (remove the link)");
        }
        FileChannel channel;
        try {
            // NOFOLLOW_LINKS: a link put there after the check above must not make us create or truncate the
            // file it points at.
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.FileSystemException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException("cannot open lock file " + file + " (" + RunFiles.reason(e) + ")", e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException sameJvm) {
            lock = null;
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot lock run folder " + runDir + " (" + RunFiles.reason(e)
                    + "); its file system may not support file locks", e);
        }
        if (lock == null) {
            String holder = holder(channel);
            channel.close();
            throw new RunFolderInUseException("run folder " + runDir + " is in use by " + holder
                    + "; wait until it ends (or stop it) before training into this folder");
        }
        try {
            byte[] line = ("pid=" + ProcessHandle.current().pid() + " host=" + hostName() + " since="
                    + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\n").getBytes(StandardCharsets.UTF_8);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(line), 0);
            channel.force(false);
        } catch (IOException e) {
            // Who holds the lock is a courtesy for the next process; the lock itself is what protects the run.
        }
        return new RunLock(channel, lock);
    }

    /** Releases the lock; the file stays. */
    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            channel.close();
        }
    }

    /** "pid 1234 on host since 2026-12-03T16:40:01Z", read from the lock file, or a plain phrase. */
    static String holder(FileChannel channel) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(MAX_HOLDER_BYTES);
            channel.read(buf, 0);
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            Matcher m = HOLDER.matcher(text);
            if (m.find()) {
                return "another toolkit process (pid " + m.group(1) + " on " + m.group(2) + ", since " + m.group(3) + ")";
            }
        } catch (IOException e) {
            // Fall through to the plain phrase.
        }
        return "another toolkit process (it has not recorded its pid yet)";
    }

    /** This machine's name, without a network lookup (which can hang on a machine without DNS). */
    static String hostName() {
        try {
            Path kernel = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(kernel)) {
                String name = Files.readString(kernel, StandardCharsets.UTF_8).trim();
                if (!name.isEmpty()) {
                    return sanitize(name);
                }
            }
        } catch (IOException | SecurityException e) {
            // Try the next source.
        }
        for (String variable : new String[] {"HOSTNAME", "COMPUTERNAME"}) {
            String name = System.getenv(variable);
            if (name != null && !name.isBlank()) {
                return sanitize(name.trim());
            }
        }
        return "unknown-host";
    }

    private static String sanitize(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
