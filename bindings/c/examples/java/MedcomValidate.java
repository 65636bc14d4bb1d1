// Validates MedCom messages from Java through the C ABI, with the Foreign Function & Memory API
// (java.lang.foreign, final in JDK 22). No JNI, no generated code: compile with plain javac.
//
//   javac -d out MedcomValidate.java
//   java --enable-native-access=ALL-UNNAMED -cp out MedcomValidate /path/to/libmedcom_c.so FILE...
//
// Prints one line per file: the JSON report `medcom validate --format json` prints for it (with
// "path":null). Exits 1 when a file does not read or the library returns NULL.

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

public final class MedcomValidate {
    private final MethodHandle validate;
    private final MethodHandle stringFree;

    MedcomValidate(SymbolLookup library) {
        Linker linker = Linker.nativeLinker();
        // char *medcom_validate(const uint8_t *data, size_t len);
        validate = linker.downcallHandle(
                library.find("medcom_validate").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        // void medcom_string_free(char *s);
        stringFree = linker.downcallHandle(
                library.find("medcom_string_free").orElseThrow(),
                FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    }

    /** The JSON report for one message, or null when the library refuses the call. */
    String validate(byte[] message) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(Math.max(1, message.length));
            MemorySegment.copy(message, 0, data, ValueLayout.JAVA_BYTE, 0, message.length);
            MemorySegment report = (MemorySegment) validate.invokeExact(data, (long) message.length);
            if (report.equals(MemorySegment.NULL)) {
                return null;
            }
            try {
                // The returned string is NUL-terminated UTF-8 of unknown length.
                return report.reinterpret(Long.MAX_VALUE).getString(0);
            } finally {
                stringFree.invokeExact(report);
            }
        }
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 1) {
            System.err.println("usage: MedcomValidate LIBRARY FILE...");
            System.exit(2);
        }
        try (Arena arena = Arena.ofConfined()) {
            MedcomValidate medcom = new MedcomValidate(SymbolLookup.libraryLookup(Path.of(args[0]), arena));
            for (int i = 1; i < args.length; i++) {
                String report = medcom.validate(Files.readAllBytes(Path.of(args[i])));
                if (report == null) {
                    System.err.println(args[i] + ": the library returned NULL");
                    System.exit(1);
                }
                System.out.println(report);
            }
        }
    }
}
