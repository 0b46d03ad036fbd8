package dev.clickstream.flink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The runtime properties of an Amazon Managed Service for Apache Flink application
 * (EnvironmentProperties.PropertyGroups in resources/managed-flink.yml), which the service
 * writes as JSON for the application to read: an array of {PropertyGroupId, PropertyMap}
 * (https://docs.aws.amazon.com/managed-flink/latest/java/how-properties.html). Only the group
 * {@value #GROUP} is read; on the laptop the file does not exist and nothing is read.
 */
final class ManagedProperties {
  static final String GROUP = "FlinkSqlVariables";

  private ManagedProperties() {}

  static Map<String, String> read(Path file) throws IOException {
    Map<String, String> vars = new LinkedHashMap<>();
    if (!Files.exists(file)) return vars;
    JsonNode groups = new ObjectMapper().readTree(file.toFile());
    for (JsonNode group : groups) {
      if (!GROUP.equals(group.path("PropertyGroupId").asText())) continue;
      group.path("PropertyMap").fields().forEachRemaining(e -> vars.put(e.getKey(), e.getValue().asText()));
    }
    return vars;
  }
}
