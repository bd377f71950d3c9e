namespace GitOps.Orchestrations.Core.Expressions;

/// <summary>
/// The bounds of one expression, written by whoever can push to the workflows repository and
/// evaluated inside orchestrations on every replay. Each bound is far above what a real condition
/// needs and far below what hurts a server (docs/security.md).
/// </summary>
public sealed record ExpressionLimits
{
    public static readonly ExpressionLimits Default = new();

    /// <summary>Characters of source; conditions are one line, rarely a hundred characters.</summary>
    public int MaxLength { get; init; } = 4096;

    /// <summary>Nesting of brackets, and depth of the parsed tree: the evaluator recurses by it.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Operators and punctuation before parsing, which bounds how deep the parser recurses.</summary>
    public int MaxPunctuation { get; init; } = 512;

    /// <summary>Nodes of the parsed tree, which bounds what one evaluation can build out of its inputs.</summary>
    public int MaxNodes { get; init; } = 256;

    /// <summary><c>{{...}}</c> references in one expression.</summary>
    public int MaxReferences { get; init; } = 32;

    /// <summary>Characters of JSON bound to one evaluation as variables (params, outputs, a response).</summary>
    public int MaxInputChars { get; init; } = 1024 * 1024;

    /// <summary>
    /// Wall-clock time of one evaluation: a backstop only. What bounds an expression's work are the
    /// deterministic limits (size, depth, statements, memory), which give the same answer on every
    /// replay; a clock does not. At 250 ms a one-comparison condition timed out under load (a JIT or
    /// GC pause), failing an analysis that had measured a healthy service.
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>One regular-expression match; catastrophic backtracking stops here, not after seconds.</summary>
    public TimeSpan RegexTimeout { get; init; } = TimeSpan.FromMilliseconds(50);

    public uint MaxArraySize { get; init; } = 100_000;
}
