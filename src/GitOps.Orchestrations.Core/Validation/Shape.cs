using System.Collections.Immutable;
using System.Text.Json;
using GitOps.Orchestrations.Core.Templating;

namespace GitOps.Orchestrations.Core.Validation;

/// <summary>A problem inside a nested <c>with</c> value, at a path of keys and indexes below the field.</summary>
public sealed record FieldProblem(IReadOnlyList<object> Path, string Message)
{
    /// <summary>The path as written in YAML terms: <c>volumes[1].mountPath</c>.</summary>
    public string Describe(string field) =>
        field + string.Concat(Path.Select(segment => segment is int index ? $"[{index}]" : $".{segment}"));
}

/// <summary>
/// The nested shape of a <c>with</c> field: which keys a mapping may hold, what a list holds. It
/// checks structure, so a misspelt key deep inside is reported where it was written; scalars may be
/// templated, so their types are checked after templating, when the step runs.
/// </summary>
public abstract record Shape
{
    /// <summary>Walks at most this deep, whatever the value: every walker has a depth bound.</summary>
    public const int MaxDepth = 16;

    public static readonly Shape Scalar = new ScalarShape();

    /// <summary>Any value at all, such as a Kubernetes object passed through as written.</summary>
    public static readonly Shape Anything = new AnyShape();

    /// <summary>Text that must not be empty, nor longer than <paramref name="maxLength"/>: an image name, a script's source.</summary>
    public static Shape NonEmptyText(int maxLength) => new TextShape(maxLength);

    public static Shape Object(IReadOnlyDictionary<string, Shape> fields, params string[] required) => new ObjectShape(fields, required);

    public static Shape ListOf(Shape item) => new ListShape(item);

    public static Shape MapOf(Shape value) => new MapShape(value);

    /// <summary>A scalar, or a mapping of the given shape: an env value is text or a reference.</summary>
    public static Shape ScalarOr(Shape mapping) => new ScalarOrShape(mapping);

    public IEnumerable<FieldProblem> Check(JsonElement value) => Check(value, [], 0);

    internal abstract IEnumerable<FieldProblem> Check(JsonElement value, ImmutableList<object> path, int depth);

    static bool IsScalar(JsonElement value) => value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False;

    /// <summary>A whole value templated from params or outputs: its shape is only known when the step runs.</summary>
    static bool IsTemplated(JsonElement value) => value.ValueKind == JsonValueKind.String && Template.HasReferences(value.GetString()!);

    static IEnumerable<FieldProblem> TooDeep(ImmutableList<object> path) => [new FieldProblem(path, $"nested more than {MaxDepth} levels")];

    sealed record AnyShape : Shape
    {
        internal override IEnumerable<FieldProblem> Check(JsonElement value, ImmutableList<object> path, int depth) => [];
    }

    sealed record ScalarShape : Shape
    {
        internal override IEnumerable<FieldProblem> Check(JsonElement value, ImmutableList<object> path, int depth) =>
            IsScalar(value) ? [] : [new FieldProblem(path, "must be a single value, not a mapping or a list")];
    }

    sealed record TextShape(int MaxLength) : Shape
    {
        internal override IEnumerable<FieldProblem> Check(JsonElement value, ImmutableList<object> path, int depth)
        {
            if (value.ValueKind != JsonValueKind.String)
            {
                return IsScalar(value) ? [] : [new FieldProblem(path, "must be text")];
            }

            string text = value.GetString()!;
            return string.IsNullOrWhiteSpace(text) ? [new FieldProblem(path, "is empty")]
                : text.Length > MaxLength ? [new FieldProblem(path, $"is longer than {MaxLength} characters")]
                : [];
        }
    }

    sealed record ScalarOrShape(Shape Mapping) : Shape
    {
        internal override IEnumerable<FieldProblem> Check(JsonElement value, ImmutableList<object> path, int depth) =>
            IsScalar(value) ? [] : Mapping.Check(value, path, depth);
    }

    sealed record ObjectShape(IReadOnlyDictionary<string, Shape> Fields, IReadOnlyList<string> Required) : Shape
    {
        internal override IEnumerable<FieldProblem> Check(JsonElement value, ImmutableList<object> path, int depth)
        {
            if (IsTemplated(value))
            {
                yield break;
            }

            if (value.ValueKind != JsonValueKind.Object)
            {
                yield return new FieldProblem(path, "must be a mapping");
                yield break;
            }

            if (depth >= MaxDepth)
            {
                foreach (FieldProblem problem in TooDeep(path))
                {
                    yield return problem;
                }

                yield break;
            }

            foreach (JsonProperty property in value.EnumerateObject())
            {
                if (!Fields.TryGetValue(property.Name, out Shape? shape))
                {
                    yield return new FieldProblem(path.Add(property.Name), $"unknown field '{property.Name}' (allowed: {string.Join(", ", Fields.Keys.Order(StringComparer.Ordinal))})");
                    continue;
                }

                foreach (FieldProblem problem in shape.Check(property.Value, path.Add(property.Name), depth + 1))
                {
                    yield return problem;
                }
            }

            foreach (string name in Required.Where(name => !value.TryGetProperty(name, out _)))
            {
                yield return new FieldProblem(path, $"is missing required field '{name}'");
            }
        }
    }

    sealed record ListShape(Shape Item) : Shape
    {
        internal override IEnumerable<FieldProblem> Check(JsonElement value, ImmutableList<object> path, int depth)
        {
            if (IsTemplated(value))
            {
                return [];
            }

            if (value.ValueKind != JsonValueKind.Array)
            {
                return [new FieldProblem(path, "must be a list")];
            }

            return depth >= MaxDepth
                ? TooDeep(path)
                : value.EnumerateArray().SelectMany((item, index) => Item.Check(item, path.Add(index), depth + 1));
        }
    }

    sealed record MapShape(Shape Value) : Shape
    {
        internal override IEnumerable<FieldProblem> Check(JsonElement value, ImmutableList<object> path, int depth)
        {
            if (IsTemplated(value))
            {
                return [];
            }

            if (value.ValueKind != JsonValueKind.Object)
            {
                return [new FieldProblem(path, "must be a mapping")];
            }

            return depth >= MaxDepth
                ? TooDeep(path)
                : value.EnumerateObject().SelectMany(p => Value.Check(p.Value, path.Add(p.Name), depth + 1));
        }
    }
}
