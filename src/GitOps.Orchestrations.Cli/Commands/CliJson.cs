using System.Text.Json;
using System.Text.Json.Serialization;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>How every <c>--output json</c> prints.</summary>
internal static class CliJson
{
    public static readonly JsonSerializerOptions Output = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,

        // For people and jq, not for HTML: a diff's "+++" stays "+++" instead of "\u002B\u002B\u002B".
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
