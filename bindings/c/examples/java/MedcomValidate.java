// Validates and converts MedCom messages from Java through the C ABI, with the Foreign Function &
// Memory API (java.lang.foreign, final in JDK 22). No JNI, no generated code: compile with plain
// javac.
//
//   javac -d out MedcomValidate.java
//   java --enable-native-access=ALL-UNNAMED -cp out MedcomValidate /path/to/libmedcom_c.so FILE...
//   java --enable-native-access=ALL-UNNAMED -cp out MedcomValidate /path/to/libmedcom_c.so --convert FILE...
//
// Prints one line per file: the JSON report `medcom validate --format json` prints for it (with
// "path":null). With --convert, per file either "ok LEN", a line break and the LEN bytes of the
// message converted to the other format (as `medcom convert` writes it) and a line break, or
// "error " and the library's error object on one line. Exits 1 when a file does not read or the
// library returns NULL where it must not.

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

public final class MedcomValidate {
    /** A conversion the library refused: its error object, e.g. {"kind":"read",...,"line":3,...}. */
    public static final class MedcomException extends Exception {
        private static final long serialVersionUID = 1L;

        MedcomException(String errorJson) {
            super(errorJson);
        }
    }

    private final MethodHandle validate;
    private final MethodHandle convert;
    private final MethodHandle stringFree;

    MedcomValidate(SymbolLookup library) {
        Linker linker = Linker.nativeLinker();
        // char *medcom_validate(const uint8_t *data, size_t len);
        validate = linker.downcallHandle(
                library.find("medcom_validate").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        // char *medcom_convert(const uint8_t *data, size_t len, const char *to, char **error);
        convert = linker.downcallHandle(
                library.find("medcom_convert").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                        ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        // void medcom_string_free(char *s);
        stringFree = linker.downcallHandle(
                library.find("medcom_string_free").orElseThrow(),
                FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    }

    /** The message's bytes in native memory that lives as long as the arena. */
    private static MemorySegment input(Arena arena, byte[] message) {
        MemorySegment data = arena.allocate(Math.max(1, message.length));
        MemorySegment.copy(message, 0, data, ValueLayout.JAVA_BYTE, 0, message.length);
        return data;
    }

    /** The bytes of a NUL-terminated string the library returned, which is then freed. */
    private byte[] take(MemorySegment s) throws Throwable {
        try {
            // Of unknown length; ISO 8859-1 maps every byte to one char and back.
            String text = s.reinterpret(Long.MAX_VALUE).getString(0, StandardCharsets.ISO_8859_1);
            return text.getBytes(StandardCharsets.ISO_8859_1);
        } finally {
            stringFree.invokeExact(s);
        }
    }

    /** The JSON report for one message, or null when the library refuses the call. */
    String validate(byte[] message) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment report = (MemorySegment) validate.invokeExact(input(arena, message), (long) message.length);
            if (report.equals(MemorySegment.NULL)) {
                return null;
            }
            // The report is UTF-8.
            return new String(take(report), StandardCharsets.UTF_8);
        }
    }

    /**
     * The message converted to {@code to} ("json", "xml", "oioxml", "edifact"; null: the other
     * format). Bytes, not a String: EDIFACT comes in its interchange's character set (ISO 8859-1).
     */
    byte[] convert(byte[] message, String to) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment target = to == null ? MemorySegment.NULL : arena.allocateFrom(to);
            MemorySegment error = arena.allocate(ValueLayout.ADDRESS);
            MemorySegment out = (MemorySegment) convert.invokeExact(
                    input(arena, message), (long) message.length, target, error);
            MemorySegment errorText = error.get(ValueLayout.ADDRESS, 0);
            if (out.equals(MemorySegment.NULL)) {
                throw new MedcomException(new String(take(errorText), StandardCharsets.UTF_8));
            }
            return take(out);
        }
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 1) {
            System.err.println("usage: MedcomValidate LIBRARY [--convert] FILE...");
            System.exit(2);
        }
        boolean converting = args.length > 1 && args[1].equals("--convert");
        try (Arena arena = Arena.ofConfined()) {
            MedcomValidate medcom = new MedcomValidate(SymbolLookup.libraryLookup(Path.of(args[0]), arena));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = converting ? 2 : 1; i < args.length; i++) {
                byte[] message = Files.readAllBytes(Path.of(args[i]));
                if (converting) {
                    try {
                        byte[] converted = medcom.convert(message, null);
                        out.write(("ok " + converted.length + "\n").getBytes(StandardCharsets.US_ASCII));
                        out.write(converted);
                        out.write('\n');
                    } catch (MedcomException e) {
                        out.write(("error " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                    continue;
                }
                String report = medcom.validate(message);
                if (report == null) {
                    System.err.println(args[i] + ": the library returned NULL");
                    System.exit(1);
                }
                out.write((report + "\n").getBytes(StandardCharsets.UTF_8));
            }
            System.out.write(out.toByteArray());
            System.out.flush();
        }
    }
}
