using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Orchestrations.Hosting.Plugins;
using GitOps.Orchestrations.Sdk;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>
/// <c>gitops schema</c>: the workflow JSON Schema for editors, as published in docs, with the custom
/// task types of a plugin folder added: each name to <c>uses</c>, and a rule for its <c>with:</c>.
/// </summary>
internal static class SchemaCommand
{
    public static Command Create()
    {
        Option<string?> plugins = new("--plugins") { Description = "Folder of custom task types to add to the schema" };
        Command command = new("schema", "Print the workflow JSON Schema for editors, with custom task types") { plugins };
        command.SetAction(parse =>
        {
            IReadOnlyList<TaskTypeDefinition> custom;
            try
            {
                custom = parse.GetValue(plugins) is string folder ? TaskTypePlugins.Load(folder) : [];
            }
            catch (InvalidOperationException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Usage;
            }

            Console.Out.WriteLine(WithCustomTypes(Published(), custom).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return ExitCodes.Succeeded;
        });
        return command;
    }

    /// <summary>docs/workflow.schema.json, built into the command.</summary>
    public static JsonObject Published()
    {
        using Stream stream = typeof(SchemaCommand).Assembly.GetManifestResourceStream("workflow.schema.json")!;
        return (JsonObject)JsonNode.Parse(stream)!;
    }

    public static JsonObject WithCustomTypes(JsonObject schema, IEnumerable<TaskTypeDefinition> custom)
    {
        JsonNode task = schema["$defs"]!["task"]!;
        var uses = (JsonArray)task["properties"]!["uses"]!["enum"]!;
        var rules = (JsonArray)task["allOf"]!;
        foreach (TaskTypeDefinition definition in custom)
        {
            uses.Add(definition.Name);
            var properties = new JsonObject();
            foreach (var (name, field) in definition.With)
            {
                JsonObject property = field.Kind switch
                {
                    TaskFieldKind.String when field.AllowedValues is { Count: > 0 } allowed => new JsonObject { ["enum"] = new JsonArray(allowed.Select(a => (JsonNode?)a).ToArray()) },
                    TaskFieldKind.String or TaskFieldKind.Duration => new JsonObject { ["type"] = "string" },
                    TaskFieldKind.Number => new JsonObject { ["type"] = new JsonArray("number", "string") },
                    TaskFieldKind.Boolean => new JsonObject { ["type"] = new JsonArray("boolean", "string") },
                    TaskFieldKind.StringList => new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } },
                    TaskFieldKind.StringMap or TaskFieldKind.Object => new JsonObject { ["type"] = "object" },
                    _ => new JsonObject(),
                };
                if (field.Description is string description)
                {
                    property["description"] = description;
                }

                properties[name] = property;
            }

            var with = new JsonObject { ["type"] = "object", ["additionalProperties"] = false, ["properties"] = properties };
            string[] required = definition.With.Where(f => f.Value.Required).Select(f => f.Key).ToArray();
            if (required.Length > 0)
            {
                with["required"] = new JsonArray(required.Select(r => (JsonNode?)r).ToArray());
            }

            rules.Add(new JsonObject
            {
                // A task that calls a template has no uses, so a rule applies only where uses is written.
                ["if"] = new JsonObject { ["required"] = new JsonArray("uses"), ["properties"] = new JsonObject { ["uses"] = new JsonObject { ["const"] = definition.Name } } },
                ["then"] = new JsonObject { ["properties"] = new JsonObject { ["with"] = with } },
            });
        }

        return schema;
    }
}
