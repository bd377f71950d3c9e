using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Orchestrations.Core.Policies;

/// <summary>
/// <c>patchStrategicMerge</c> as Kyverno applies it for labels, annotations and defaults: maps merge
/// field by field, <c>+(f)</c> sets a field only where it is absent, <c>(f)</c> applies the rest of
/// its map only where the object matches, <c>null</c> removes a field, and a list of maps merges by
/// <c>name</c> (as Kubernetes merges containers) or, where its element holds a conditional anchor,
/// applies that element to every element it matches. Other lists replace the object's.
/// </summary>
public static class StrategicMerge
{
    /// <summary>Merges <paramref name="patch"/> into <paramref name="target"/>; true when anything changed.</summary>
    public static bool Apply(JsonObject target, JsonElement patch)
    {
        if (patch.ValueKind != JsonValueKind.Object || !ConditionsHold(target, patch))
        {
            return false;
        }

        bool changed = false;
        foreach (JsonProperty property in patch.EnumerateObject())
        {
            PatternKey key = PatternKey.Parse(property.Name);
            if (key.Anchor == Anchor.Conditional)
            {
                continue;
            }

            bool present = target.TryGetPropertyValue(key.Field, out JsonNode? current);
            if (key.Anchor == Anchor.AddIfAbsent && present && current is not JsonObject)
            {
                continue;
            }

            switch (property.Value.ValueKind)
            {
                case JsonValueKind.Null:
                    changed |= target.Remove(key.Field);
                    break;
                case JsonValueKind.Object when current is JsonObject inner:
                    changed |= key.Anchor == Anchor.AddIfAbsent ? AddMissing(inner, property.Value) : Apply(inner, property.Value);
                    break;
                case JsonValueKind.Object:
                    var created = new JsonObject();
                    if (Apply(created, property.Value) || created.Count > 0)
                    {
                        target[key.Field] = created;
                        changed = true;
                    }

                    break;
                case JsonValueKind.Array when current is JsonArray list && property.Value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Object):
                    changed |= MergeList(list, property.Value);
                    break;
                default:
                    JsonNode? replacement = JsonNode.Parse(property.Value.GetRawText());
                    if (!JsonNode.DeepEquals(current, replacement))
                    {
                        target[key.Field] = replacement;
                        changed = true;
                    }

                    break;
            }
        }

        return changed;
    }

    /// <summary>Every conditional anchor of the patch's map holds for the target.</summary>
    static bool ConditionsHold(JsonObject target, JsonElement patch) =>
        patch.EnumerateObject()
            .Select(p => (Key: PatternKey.Parse(p.Name), p.Value))
            .Where(p => p.Key.Anchor == Anchor.Conditional)
            .All(p => PatternMatcher.Match(target[p.Key.Field], p.Value).Outcome == PatternOutcome.Pass);

    static bool AddMissing(JsonObject target, JsonElement patch)
    {
        bool changed = false;
        foreach (JsonProperty property in patch.EnumerateObject())
        {
            string field = PatternKey.Parse(property.Name).Field;
            if (!target.ContainsKey(field))
            {
                target[field] = JsonNode.Parse(property.Value.GetRawText());
                changed = true;
            }
            else if (target[field] is JsonObject inner && property.Value.ValueKind == JsonValueKind.Object)
            {
                changed |= AddMissing(inner, property.Value);
            }
        }

        return changed;
    }

    static bool MergeList(JsonArray list, JsonElement patch)
    {
        bool changed = false;
        foreach (JsonElement element in patch.EnumerateArray())
        {
            bool conditional = element.EnumerateObject().Any(p => PatternKey.Parse(p.Name).Anchor == Anchor.Conditional);
            if (conditional)
            {
                foreach (JsonObject item in list.OfType<JsonObject>())
                {
                    changed |= Apply(item, element);
                }
            }
            else if (element.TryGetProperty("name", out JsonElement name) && list.OfType<JsonObject>().FirstOrDefault(i => JsonNode.DeepEquals(i["name"], JsonNode.Parse(name.GetRawText()))) is JsonObject same)
            {
                changed |= Apply(same, element);
            }
            else
            {
                var added = new JsonObject();
                Apply(added, element);
                list.Add(added);
                changed = true;
            }
        }

        return changed;
    }
}
