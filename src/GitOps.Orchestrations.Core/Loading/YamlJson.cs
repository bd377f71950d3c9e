using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GitOps.Orchestrations.Core.Loading;

/// <summary>
/// Converts a YAML value to JSON with YAML 1.2 core-schema typing: plain <c>3</c> is a number,
/// plain <c>true</c> a boolean, quoted values stay strings. Every node visited, aliases included,
/// counts against a budget.
/// </summary>
public static partial class YamlJson
{
    public static JsonElement ToJson(YNode node, ref int budget)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, node, ref budget);
        }

        using JsonDocument document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>The scalar as JSON would type it, or the text itself when it is not a plain number, boolean or null.</summary>
    public static void WriteScalar(Utf8JsonWriter writer, YScalar scalar)
    {
        if (!scalar.IsPlain)
        {
            writer.WriteStringValue(scalar.Value);
        }
        else if (scalar.IsNull)
        {
            writer.WriteNullValue();
        }
        else if (scalar.Value is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            writer.WriteBooleanValue(scalar.Value[0] is 't' or 'T');
        }
        else if (IntegerPattern().IsMatch(scalar.Value) && long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer))
        {
            writer.WriteNumberValue(integer);
        }
        // A number too large for a double (1e309) stays the text it was: JSON has no infinity.
        else if (FloatPattern().IsMatch(scalar.Value) && double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && double.IsFinite(number))
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            writer.WriteStringValue(scalar.Value);
        }
    }

    static void Write(Utf8JsonWriter writer, YNode node, ref int budget)
    {
        if (--budget < 0)
        {
            throw new YamlBudgetExceededException();
        }

        switch (node)
        {
            case YScalar scalar:
                WriteScalar(writer, scalar);
                break;
            case YSequence sequence:
                writer.WriteStartArray();
                foreach (YNode item in sequence.Items)
                {
                    Write(writer, item, ref budget);
                }

                writer.WriteEndArray();
                break;
            case YMapping mapping:
                writer.WriteStartObject();
                foreach (var (key, value) in mapping.Entries)
                {
                    writer.WritePropertyName(key.Value);
                    Write(writer, value, ref budget);
                }

                writer.WriteEndObject();
                break;
        }
    }

    [GeneratedRegex(@"^[-+]?[0-9]+\z")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\z")]
    private static partial Regex FloatPattern();
}

public sealed class YamlBudgetExceededException() : Exception("the document expands to too many nodes (an alias bomb?)");
