using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Orchestrations.Core.Manifests;

/// <summary>
/// Which fields of a live object differ from what was applied. Only the fields the desired object
/// sets are compared, because the server adds defaults and other managers add fields of their own;
/// <c>status</c> and server-owned metadata are never compared. Paths are JSON pointers.
/// </summary>
public static class ObjectDiff
{
    static readonly HashSet<string> ComparedMetadata = new(StringComparer.Ordinal) { "labels", "annotations" };

    public static IReadOnlyList<string> Differences(JsonObject desired, JsonObject? live, IReadOnlyCollection<string>? ignore = null)
    {
        var differences = new List<string>();
        if (live is null)
        {
            return ["/"];
        }

        foreach (var (key, value) in desired)
        {
            if (key is "status" or "apiVersion" or "kind")
            {
                continue;
            }

            if (key == "metadata" && value is JsonObject metadata)
            {
                foreach (var (field, fieldValue) in metadata.Where(p => ComparedMetadata.Contains(p.Key)))
                {
                    Compare(fieldValue, live["metadata"]?[field], $"/metadata/{Escape(field)}", differences, ignore);
                }

                continue;
            }

            Compare(value, live[key], "/" + Escape(key), differences, ignore);
        }

        return differences;
    }

    static void Compare(JsonNode? desired, JsonNode? live, string path, List<string> differences, IReadOnlyCollection<string>? ignore)
    {
        if (ignore is not null && ignore.Any(p => path == p || path.StartsWith(p + "/", StringComparison.Ordinal)))
        {
            return;
        }

        switch (desired)
        {
            case JsonObject obj when live is JsonObject liveObject:
                foreach (var (key, value) in obj)
                {
                    Compare(value, liveObject[key], $"{path}/{Escape(key)}", differences, ignore);
                }

                break;
            case JsonArray array when live is JsonArray liveArray && array.Count == liveArray.Count:
                for (int i = 0; i < array.Count; i++)
                {
                    Compare(array[i], liveArray[i], $"{path}/{i}", differences, ignore);
                }

                break;
            case JsonObject or JsonArray:
                differences.Add(path);
                break;
            default:
                if (!ScalarEquals(desired, live))
                {
                    differences.Add(path);
                }

                break;
        }
    }

    static bool ScalarEquals(JsonNode? desired, JsonNode? live)
    {
        if (desired is null || live is null)
        {
            return desired is null && live is null;
        }

        JsonValueKind kind = desired.GetValueKind();
        if (kind == JsonValueKind.Number && live.GetValueKind() == JsonValueKind.Number)
        {
            return desired.GetValue<double>() == live.GetValue<double>();
        }

        return kind == live.GetValueKind() && desired.ToJsonString() == live.ToJsonString();
    }

    /// <summary>RFC 6901: <c>~</c> becomes <c>~0</c> and <c>/</c> becomes <c>~1</c>.</summary>
    public static string Escape(string key) => key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
