package dev.baton.agent.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.util.stream.Collectors;

/** JSON in and out; parse errors become one-line 400 answers. */
final class JsonCodec {

    private final ObjectMapper mapper = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** A JSON string literal, quotes included. */
    static String quote(String text) {
        return "\"" + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
    }

    byte[] write(Object value) throws JsonProcessingException {
        return mapper.writeValueAsBytes(value);
    }

    <T> T read(byte[] body, Class<T> type) throws ApiException {
        if (new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            throw new ApiException(400, "request body is empty; expected a JSON object");
        }
        T value;
        try {
            value = mapper.readValue(body, type);
        } catch (UnrecognizedPropertyException e) {
            throw new ApiException(400, "unknown field '" + ApiException.printable(e.getPropertyName()) + "'");
        } catch (MismatchedInputException e) {
            String field = path(e);
            throw new ApiException(400, field.isEmpty() ? "expected a JSON object" : "invalid value for '" + field + "'");
        } catch (JsonMappingException e) {
            // e.g. a number out of range for its field
            String field = path(e);
            throw new ApiException(400, field.isEmpty() ? "expected a JSON object" : "invalid value for '" + field + "'");
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new ApiException(400, "malformed JSON" + where);
        } catch (IOException e) {
            throw new ApiException(400, "unreadable request body");
        }
        if (value == null) {
            throw new ApiException(400, "expected a JSON object");
        }
        return value;
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
    }
}
