using System.Diagnostics.CodeAnalysis;

namespace GitOps.Orchestrations.Core.Validation;

/// <summary>What a field of a task type's <c>with</c> block must hold.</summary>
public enum FieldKind
{
    /// <summary>Any YAML value.</summary>
    Any,
    String,
    Number,
    Boolean,
    Duration,
    Expression,
    StringMap,
    Object,
    StringList,
}

/// <param name="Variables">For an <see cref="FieldKind.Expression"/>: the names it reads besides params, tasks, item and workflow.</param>
/// <param name="Literal">
/// The value must be written in the workflow file, never templated from params or outputs: an
/// approval policy templated from params would let whoever starts a run choose who approves it.
/// </param>
/// <param name="Shape">For a mapping or a list: the keys and items it may hold, checked where they are written.</param>
public sealed record FieldSpec(FieldKind Kind, bool Required = false, IReadOnlyList<string>? AllowedValues = null, IReadOnlyList<string>? Variables = null, bool Literal = false, Shape? Shape = null);

/// <summary>
/// The shape of one task type's <c>with</c> block. Validation is pure, so the schema lives here,
/// while the code that runs the task type lives with the engine.
/// </summary>
/// <param name="Check">
/// Rules across fields, on the <c>with</c> block as written (before templating), each problem at a
/// path below <c>with</c>: what one field allows may depend on another.
/// </param>
/// <param name="Result">The output that is the step's main result, also offered as <c>outputs.result</c> (Argo's <c>outputs.result</c>).</param>
public sealed record TaskTypeSchema(string Name, IReadOnlyDictionary<string, FieldSpec> Fields, bool AllowsExtraFields = false, Func<System.Text.Json.JsonElement, IEnumerable<FieldProblem>>? Check = null, string? Result = null)
{
    /// <summary>What a declared output's <c>from</c> expression reads besides params, tasks, item and workflow.</summary>
    public static readonly IReadOnlyList<string> OutputVariables = ["result", "outputs"];
}

/// <summary>The task types a validator may accept; the engine's registry is one.</summary>
public interface ITaskTypeCatalog
{
    bool TryGetSchema(string uses, [MaybeNullWhen(false)] out TaskTypeSchema schema);

    IEnumerable<string> Names { get; }
}
