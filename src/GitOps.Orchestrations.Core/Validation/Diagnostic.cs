using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Core.Validation;

/// <summary>One problem in one file, printed the way compilers print theirs so editors can jump to it.</summary>
public sealed record Diagnostic(string File, SourcePosition Position, string Message)
{
    public override string ToString() => $"{File}:{Position.Line}:{Position.Column}: error: {Message}";
}

/// <summary>Thrown when input that should have been validated is not valid after all.</summary>
public sealed class WorkflowValidationException(IReadOnlyList<Diagnostic> diagnostics)
    : Exception(string.Join(Environment.NewLine, diagnostics))
{
    public IReadOnlyList<Diagnostic> Diagnostics { get; } = diagnostics;
}
