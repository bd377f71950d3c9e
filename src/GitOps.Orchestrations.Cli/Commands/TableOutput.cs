using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Serialization;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>One column of a listing: its header, how a row's JSON gives its cell, and whether only <c>-o wide</c> shows it.</summary>
internal sealed record Column(string Header, Func<JsonElement, string> Cell, bool Wide = false);

/// <summary>
/// Listings as kubectl prints them: a plain table (more columns with <c>-o wide</c>), or the
/// server's own JSON (<c>-o json</c>) or the same as YAML (<c>-o yaml</c>), one document on stdout.
/// </summary>
internal static class TableOutput
{
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static readonly string[] Formats = ["table", "wide", "json", "yaml"];

    public static string? Check(string? format) =>
        format is null || Formats.Contains(format) ? null : $"unknown --output '{format}' (use {string.Join(", ", Formats[1..])})";

    public static void Write(TextWriter output, string? format, JsonElement document, IReadOnlyList<JsonElement> rows, IReadOnlyList<Column> columns, string empty)
    {
        switch (format)
        {
            case "json":
                output.WriteLine(JsonSerializer.Serialize(document, Indented));
                return;
            case "yaml":
                output.Write(new SerializerBuilder().WithQuotingNecessaryStrings().Build().Serialize(Plain(JsonNode.Parse(document.GetRawText()))));
                return;
        }

        if (rows.Count == 0)
        {
            Console.Error.WriteLine(empty);
            return;
        }

        List<Column> shown = columns.Where(c => !c.Wide || format == "wide").ToList();
        List<string[]> cells = rows.Select(row => shown.Select(c => Clean(c.Cell(row))).ToArray()).ToList();
        int[] widths = shown.Select((c, i) => Math.Max(c.Header.Length, cells.Max(r => r[i].Length))).ToArray();
        output.WriteLine(Line(shown.Select(c => c.Header).ToArray(), widths));
        foreach (string[] row in cells)
        {
            output.WriteLine(Line(row, widths));
        }
    }

    public static string Text(JsonElement row, string name) =>
        row.ValueKind == JsonValueKind.Object && row.TryGetProperty(name, out JsonElement value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!,
                JsonValueKind.Null or JsonValueKind.Undefined => string.Empty,
                JsonValueKind.Array => string.Join(",", value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText())),
                _ => value.GetRawText(),
            }
            : string.Empty;

    /// <summary>"3m", "2h", "5d": how long ago, as kubectl's AGE column says it.</summary>
    public static string Age(JsonElement row, string name, DateTimeOffset now)
    {
        if (!DateTimeOffset.TryParse(Text(row, name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at))
        {
            return string.Empty;
        }

        TimeSpan age = now - at;
        return age.TotalMinutes < 1 ? $"{Math.Max(0, (int)age.TotalSeconds)}s"
            : age.TotalHours < 1 ? $"{(int)age.TotalMinutes}m"
            : age.TotalDays < 1 ? $"{(int)age.TotalHours}h"
            : $"{(int)age.TotalDays}d";
    }

    static string Line(string[] cells, int[] widths) =>
        string.Join("   ", cells.Select((cell, i) => i == cells.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd();

    /// <summary>Names and messages come from Git and from callers: one line each, no terminal escapes, bounded.</summary>
    static string Clean(string text)
    {
        string flat = new(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        return flat.Length > 120 ? flat[..119] + "…" : flat;
    }

    /// <summary>JSON as the plain dictionaries, lists and scalars YamlDotNet writes.</summary>
    static object? Plain(JsonNode? node) => node switch
    {
        JsonObject o => o.ToDictionary(p => p.Key, p => Plain(p.Value)),
        JsonArray a => a.Select(Plain).ToList(),
        JsonValue v when v.TryGetValue(out string? s) => s,
        JsonValue v when v.TryGetValue(out bool b) => b,
        JsonValue v when v.TryGetValue(out long l) => l,
        JsonValue v when v.TryGetValue(out double d) => d,
        JsonValue v => v.ToJsonString(),
        _ => null,
    };
}
