using System.Text.Json;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Loading.Kinds;
using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Core.Policies;

/// <summary>
/// Reads the spec of a Kyverno <c>ClusterPolicy</c> or <c>Policy</c>. Every part of Kyverno's format
/// this engine does not evaluate is refused here with its <c>file:line:col</c> and the reason, so a
/// policy never looks as if it protects what it does not.
/// </summary>
internal static class PolicyReader
{
    public const string ApiVersion = "kyverno.io/v1";

    /// <summary>Kyverno fields a sync cannot honour, and why; named so the refusal explains itself.</summary>
    static readonly Dictionary<string, string> Unsupported = new(StringComparer.Ordinal)
    {
        ["generate"] = "generate rules create objects in a cluster as others are admitted; a sync applies only what Git renders",
        ["verifyImages"] = "image signatures are not verified by this engine",
        ["preconditions"] = "preconditions are not evaluated; narrow the rule with match and exclude",
        ["context"] = "context (API calls, ConfigMaps) is not available before an apply",
        ["foreach"] = "foreach is not evaluated; a one-element list pattern checks every element",
        ["podSecurity"] = "podSecurity is not evaluated; write the checks as patterns",
        ["cel"] = "CEL expressions are not evaluated",
        ["manifests"] = "manifest signatures are not verified by this engine",
        ["patchesJson6902"] = "patchesJson6902 is not applied; use patchStrategicMerge",
        ["targets"] = "mutation of other objects is not applied",
        ["subjects"] = "admission user info does not exist before an apply",
        ["roles"] = "admission user info does not exist before an apply",
        ["clusterRoles"] = "admission user info does not exist before an apply",
        ["namespaceSelector"] = "namespace labels live in the cluster; select namespaces by name",
        ["operations"] = "a sync creates and updates; there is no admission operation to select",
        ["generateExisting"] = "generate rules are not supported",
        ["mutateExistingOnPolicyUpdate"] = "mutation of existing objects is not applied",
        ["webhookConfiguration"] = "there is no admission webhook",
        ["failurePolicy"] = "there is no admission webhook whose failure to call",
        ["webhookTimeoutSeconds"] = "there is no admission webhook",
        ["validationFailureActionOverrides"] = "overrides per namespace are not applied; use a namespaced Policy",
        ["applyRules"] = "rules always apply in order, every one",
        ["schemaValidation"] = "schema validation is the API server's",
        ["useServerSideApply"] = "generate rules are not supported",
        ["admission"] = "policies are always evaluated before a sync applies",
        ["emitWarning"] = "there is no admission response to carry a warning",
    };

    public static PolicyDefinition? Read(KindReader reader, string kind)
    {
        int before = reader.ProblemCount;
        MappingReader spec = reader.Spec;
        FailureAction action = Action(reader, spec, "validationFailureAction") ?? FailureAction.Audit;
        spec.Boolean("background");
        var rules = new List<PolicyRule>();
        if (spec.Node("rules", required: true) is YNode list)
        {
            if (list is not YSequence { Items.Count: > 0 } sequence)
            {
                reader.Error(list.Position, "rules must be a non-empty list");
            }
            else
            {
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (YNode item in sequence.Items)
                {
                    if (Rule(reader, item) is PolicyRule rule)
                    {
                        if (!names.Add(rule.Name))
                        {
                            reader.Error(item.Position, $"rule '{rule.Name}' is defined twice");
                        }

                        rules.Add(rule);
                    }
                }
            }
        }

        RefuseUnsupported(reader, spec);
        spec.RejectUnknown();
        return reader.ProblemCount == before
            ? new PolicyDefinition { Name = reader.Name, Kind = kind, Namespace = kind == PolicyKind.Name ? reader.Namespace ?? "default" : null, FailureAction = action, Rules = rules }
            : null;
    }

    static PolicyRule? Rule(KindReader reader, YNode node)
    {
        if (MappingReader.For(reader.File, node, "a rule", reader.Diagnostics) is not MappingReader rule)
        {
            return null;
        }

        string? name = rule.String("name", required: true);
        ResourceFilters? match = Filters(reader, rule.Node("match", required: true), "match");
        ResourceFilters? exclude = Filters(reader, rule.Node("exclude"), "exclude");
        YNode? validateNode = rule.Node("validate");
        YNode? mutateNode = rule.Node("mutate");
        ValidateRule? validate = validateNode is null ? null : Validate(reader, validateNode);
        MutateRule? mutate = mutateNode is null ? null : Mutate(reader, mutateNode);
        RefuseUnsupported(reader, rule);
        if ((validateNode is null) == (mutateNode is null) && !rule.Mapping.Entries.Any(e => Unsupported.ContainsKey(e.Key.Value)))
        {
            rule.Error(rule.Mapping.Position, $"rule '{name}' needs exactly one of validate and mutate");
        }

        rule.RejectUnknown();
        return name is null || match is null ? null : new PolicyRule { Name = name, Match = match, Exclude = exclude, Validate = validate, Mutate = mutate };
    }

    static ResourceFilters? Filters(KindReader reader, YNode? node, string what)
    {
        if (MappingReader.For(reader.File, node, what, reader.Diagnostics) is not MappingReader map)
        {
            return null;
        }

        // The older form, match.resources, is one filter that must hold.
        List<ResourceFilter> all = FilterList(reader, map.Node("all"), $"{what}.all");
        List<ResourceFilter> any = FilterList(reader, map.Node("any"), $"{what}.any");
        if (map.Node("resources") is YNode legacy && Resources(reader, legacy) is ResourceFilter one)
        {
            all.Add(one);
        }

        RefuseUnsupported(reader, map);
        map.RejectUnknown();
        if (all.Count == 0 && any.Count == 0 && what == "match")
        {
            reader.Error(map.Mapping.Position, "match selects nothing: give any, all or resources");
        }

        return new ResourceFilters { Any = any, All = all };
    }

    static List<ResourceFilter> FilterList(KindReader reader, YNode? node, string what)
    {
        var filters = new List<ResourceFilter>();
        if (node is null)
        {
            return filters;
        }

        if (node is not YSequence sequence)
        {
            reader.Error(node.Position, $"{what} must be a list");
            return filters;
        }

        foreach (YNode item in sequence.Items)
        {
            if (MappingReader.For(reader.File, item, $"an element of {what}", reader.Diagnostics) is MappingReader filter)
            {
                if (Resources(reader, filter.Node("resources", required: true)) is ResourceFilter resources)
                {
                    filters.Add(resources);
                }

                RefuseUnsupported(reader, filter);
                filter.RejectUnknown();
            }
        }

        return filters;
    }

    static ResourceFilter? Resources(KindReader reader, YNode? node)
    {
        if (MappingReader.For(reader.File, node, "resources", reader.Diagnostics) is not MappingReader map)
        {
            return null;
        }

        List<string> kinds = Strings(reader, map, "kinds");
        foreach (string kind in kinds.Where(k => k.Split('/').Length > 3))
        {
            reader.Error(map.PositionOf("kinds")!.Value, $"kind '{kind}' names a subresource; only objects are synced");
        }

        List<string> names = Strings(reader, map, "names");
        if (map.String("name") is string single)
        {
            names.Add(single);
        }

        var filter = new ResourceFilter
        {
            Kinds = kinds,
            Names = names,
            Namespaces = Strings(reader, map, "namespaces"),
            Selector = Selector(reader, map.Node("selector")),
            Annotations = StringMap(reader, map.Node("annotations"), "annotations"),
        };
        RefuseUnsupported(reader, map);
        map.RejectUnknown();
        return filter;
    }

    static LabelSelector? Selector(KindReader reader, YNode? node)
    {
        if (MappingReader.For(reader.File, node, "selector", reader.Diagnostics) is not MappingReader map)
        {
            return null;
        }

        var expressions = new List<LabelRequirement>();
        if (map.Node("matchExpressions") is YNode list)
        {
            foreach (YNode item in list is YSequence sequence ? sequence.Items : [])
            {
                if (MappingReader.For(reader.File, item, "a match expression", reader.Diagnostics) is MappingReader expression)
                {
                    string? key = expression.String("key", required: true);
                    string? op = expression.String("operator", required: true);
                    List<string> values = Strings(reader, expression, "values");
                    if (op is not null and not ("In" or "NotIn" or "Exists" or "DoesNotExist"))
                    {
                        reader.Error(expression.PositionOf("operator")!.Value, $"unknown operator '{op}' (known: In, NotIn, Exists, DoesNotExist)");
                    }

                    expression.RejectUnknown();
                    if (key is not null && op is not null)
                    {
                        expressions.Add(new LabelRequirement(key, op, values));
                    }
                }
            }

            if (list is not YSequence)
            {
                reader.Error(list.Position, "matchExpressions must be a list");
            }
        }

        var selector = new LabelSelector { MatchLabels = StringMap(reader, map.Node("matchLabels"), "matchLabels"), MatchExpressions = expressions };
        map.RejectUnknown();
        return selector;
    }

    static ValidateRule? Validate(KindReader reader, YNode node)
    {
        if (MappingReader.For(reader.File, node, "validate", reader.Diagnostics) is not MappingReader map)
        {
            return null;
        }

        string? message = map.String("message");
        if (message is not null && PolicyVariables.Problem(message) is string badMessage)
        {
            reader.Error(map.PositionOf("message")!.Value, badMessage);
        }

        FailureAction? action = Action(reader, map, "failureAction");
        YNode? patternNode = map.Node("pattern");
        YNode? anyNode = map.Node("anyPattern");
        YNode? denyNode = map.Node("deny");
        JsonElement? pattern = null;
        var anyPattern = new List<JsonElement>();
        DenyConditions? deny = null;
        if (patternNode is not null)
        {
            pattern = Pattern(reader, patternNode, forMutate: false);
        }

        if (anyNode is YSequence { Items.Count: > 0 } patterns)
        {
            foreach (YNode item in patterns.Items)
            {
                if (Pattern(reader, item, forMutate: false) is JsonElement one)
                {
                    anyPattern.Add(one);
                }
            }
        }
        else if (anyNode is not null)
        {
            reader.Error(anyNode.Position, "anyPattern must be a non-empty list of patterns");
        }

        if (denyNode is not null)
        {
            deny = Deny(reader, denyNode);
        }

        RefuseUnsupported(reader, map);
        if (new[] { patternNode, anyNode, denyNode }.Count(n => n is not null) != 1 && !map.Mapping.Entries.Any(e => Unsupported.ContainsKey(e.Key.Value)))
        {
            reader.Error(map.Mapping.Position, "validate needs exactly one of pattern, anyPattern and deny");
        }

        map.RejectUnknown();
        return new ValidateRule { Message = message, Pattern = pattern, AnyPattern = anyPattern, Deny = deny, FailureAction = action };
    }

    static DenyConditions? Deny(KindReader reader, YNode node)
    {
        if (MappingReader.For(reader.File, node, "deny", reader.Diagnostics) is not MappingReader map)
        {
            return null;
        }

        YNode? conditions = map.Node("conditions");
        map.RejectUnknown();
        switch (conditions)
        {
            case null:
                // Kyverno denies every selected object when a deny names no conditions.
                return new DenyConditions();
            case YSequence all:
                return new DenyConditions { All = Conditions(reader, all) };
            case YMapping:
                MappingReader blocks = MappingReader.For(reader.File, conditions, "deny.conditions", reader.Diagnostics)!;
                var result = new DenyConditions
                {
                    Any = blocks.Node("any") is YNode any ? Conditions(reader, any) : [],
                    All = blocks.Node("all") is YNode every ? Conditions(reader, every) : [],
                };
                blocks.RejectUnknown();
                return result;
            default:
                reader.Error(conditions.Position, "deny.conditions must be a list, or a mapping of any and all");
                return null;
        }
    }

    static List<PolicyCondition> Conditions(KindReader reader, YNode node)
    {
        var conditions = new List<PolicyCondition>();
        if (node is not YSequence sequence)
        {
            reader.Error(node.Position, "conditions must be a list");
            return conditions;
        }

        foreach (YNode item in sequence.Items)
        {
            if (MappingReader.For(reader.File, item, "a condition", reader.Diagnostics) is not MappingReader condition)
            {
                continue;
            }

            YNode? key = condition.Node("key", required: true);
            string? op = condition.String("operator", required: true);
            YNode? value = condition.Node("value");
            condition.Node("message");
            if (op is not null && !ConditionEvaluator.Operators.Contains(op))
            {
                reader.Error(condition.PositionOf("operator")!.Value, $"unknown operator '{op}' (known: {string.Join(", ", ConditionEvaluator.Operators)})");
            }

            CheckVariables(reader, key);
            CheckVariables(reader, value);
            condition.RejectUnknown();
            if (key is not null && op is not null && reader.Json(key) is JsonElement keyJson)
            {
                JsonElement valueJson = value is null ? JsonDocument.Parse("null").RootElement : reader.Json(value) ?? JsonDocument.Parse("null").RootElement;
                conditions.Add(new PolicyCondition(keyJson, op, valueJson));
            }
        }

        return conditions;
    }

    static MutateRule? Mutate(KindReader reader, YNode node)
    {
        if (MappingReader.For(reader.File, node, "mutate", reader.Diagnostics) is not MappingReader map)
        {
            return null;
        }

        YNode? patch = map.Node("patchStrategicMerge");
        RefuseUnsupported(reader, map);
        map.RejectUnknown();
        if (patch is null)
        {
            if (!map.Mapping.Entries.Any(e => Unsupported.ContainsKey(e.Key.Value)))
            {
                reader.Error(map.Mapping.Position, "mutate needs patchStrategicMerge");
            }

            return null;
        }

        if (patch is not YMapping mapping)
        {
            reader.Error(patch.Position, "patchStrategicMerge must be a mapping");
            return null;
        }

        // A patch must not change which object it is: the sync tracks objects by kind and name.
        foreach (var (key, value) in mapping.Entries)
        {
            string field = PatternKey.Parse(key.Value).Field;
            if (field is "apiVersion" or "kind")
            {
                reader.Error(key.Position, $"a patch may not change {field}");
            }
            else if (field == "metadata" && value is YMapping metadata)
            {
                foreach (var (inner, _) in metadata.Entries.Where(e => PatternKey.Parse(e.Key.Value).Field is "name" or "namespace" or "generateName"))
                {
                    if (PatternKey.Parse(inner.Value).Anchor != Anchor.Conditional)
                    {
                        reader.Error(inner.Position, $"a patch may not change metadata.{PatternKey.Parse(inner.Value).Field}");
                    }
                }
            }
        }

        return Pattern(reader, patch, forMutate: true) is JsonElement json ? new MutateRule(json) : null;
    }

    /// <summary>A pattern or patch: anchors checked for the place they are used, variables refused, then JSON.</summary>
    static JsonElement? Pattern(KindReader reader, YNode node, bool forMutate)
    {
        int before = reader.ProblemCount;
        CheckPattern(reader, node, forMutate);
        return reader.ProblemCount == before ? reader.Json(node) : null;
    }

    static void CheckPattern(KindReader reader, YNode node, bool forMutate)
    {
        switch (node)
        {
            case YMapping mapping:
                foreach (var (key, value) in mapping.Entries)
                {
                    if (PatternKey.Problem(key.Value) is string problem)
                    {
                        reader.Error(key.Position, problem);
                        continue;
                    }

                    Anchor anchor = PatternKey.Parse(key.Value).Anchor;
                    if (forMutate && anchor is not (Anchor.None or Anchor.AddIfAbsent or Anchor.Conditional))
                    {
                        reader.Error(key.Position, $"anchor '{key.Value}' is for validate patterns; a patch takes (f) and +(f)");
                    }
                    else if (!forMutate && anchor == Anchor.AddIfAbsent)
                    {
                        reader.Error(key.Position, $"anchor '{key.Value}' adds a field, which only a mutate patch does");
                    }
                    else if (anchor == Anchor.Existence && value is not YSequence { Items.Count: 1 })
                    {
                        reader.Error(value.Position, $"'{key.Value}' needs a list of one pattern, which some element must match");
                    }

                    CheckPattern(reader, value, forMutate);
                }

                break;
            case YSequence sequence:
                foreach (YNode item in sequence.Items)
                {
                    CheckPattern(reader, item, forMutate);
                }

                break;
            case YScalar scalar when scalar.Value.Contains("{{", StringComparison.Ordinal):
                reader.Error(scalar.Position, $"variables are not substituted into {(forMutate ? "patches" : "patterns")}; use deny conditions to compare fields of the object");
                break;
        }
    }

    static void CheckVariables(KindReader reader, YNode? node)
    {
        switch (node)
        {
            case YScalar scalar when PolicyVariables.Problem(scalar.Value) is string problem:
                reader.Error(scalar.Position, problem);
                break;
            case YSequence sequence:
                foreach (YNode item in sequence.Items)
                {
                    CheckVariables(reader, item);
                }

                break;
            case YMapping mapping:
                reader.Error(mapping.Position, "a condition's key and value are a scalar or a list");
                break;
        }
    }

    static FailureAction? Action(KindReader reader, MappingReader map, string field) => map.String(field) switch
    {
        null => null,
        "Enforce" or "enforce" => FailureAction.Enforce,
        "Audit" or "audit" => FailureAction.Audit,
        string other => Refuse(reader, map.PositionOf(field)!.Value, $"{field} must be Enforce or Audit, not '{other}'"),
    };

    static FailureAction? Refuse(KindReader reader, SourcePosition at, string message)
    {
        reader.Error(at, message);
        return null;
    }

    static List<string> Strings(KindReader reader, MappingReader map, string field)
    {
        var values = new List<string>();
        switch (map.Node(field))
        {
            case null:
                break;
            case YSequence sequence:
                foreach (YNode item in sequence.Items)
                {
                    if (item is YScalar { IsNull: false } scalar)
                    {
                        values.Add(scalar.Value);
                    }
                    else
                    {
                        reader.Error(item.Position, $"{field} must be a list of strings");
                    }
                }

                break;
            case YNode other:
                reader.Error(other.Position, $"{field} must be a list of strings");
                break;
        }

        return values;
    }

    static Dictionary<string, string> StringMap(KindReader reader, YNode? node, string field)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (node)
        {
            case null:
                break;
            case YMapping mapping:
                foreach (var (key, value) in mapping.Entries)
                {
                    if (value is YScalar scalar)
                    {
                        values[key.Value] = scalar.Value;
                    }
                    else
                    {
                        reader.Error(value.Position, $"{field}.{key.Value} must be a string");
                    }
                }

                break;
            default:
                reader.Error(node.Position, $"{field} must be a mapping of names to strings");
                break;
        }

        return values;
    }

    /// <summary>Kyverno fields of this mapping that a sync cannot honour, each refused with its reason.</summary>
    static void RefuseUnsupported(KindReader reader, MappingReader map)
    {
        foreach (var (key, _) in map.Mapping.Entries)
        {
            if (Unsupported.TryGetValue(key.Value, out string? why))
            {
                map.Node(key.Value);
                reader.Error(key.Position, $"'{key.Value}' is not supported: {why} (docs/policy.md)");
            }
        }
    }
}
