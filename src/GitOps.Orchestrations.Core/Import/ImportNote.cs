using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Core.Import;

/// <summary>What became of one construct of the source.</summary>
public enum ImportFate
{
    /// <summary>Translated, but it behaves differently here in a way worth reading.</summary>
    Changed,

    /// <summary>Has no counterpart here and was left out: the imported file does less than the source.</summary>
    Dropped,

    /// <summary>The source could not be read (bad YAML, a missing field); nothing was written for that document.</summary>
    Error,
}

/// <summary>One line of an import's report, at the place the construct was written.</summary>
public sealed record ImportNote(string File, SourcePosition At, ImportFate Fate, string Construct, string Message)
{
    public override string ToString() => $"{File}:{At.Line}:{At.Column}: {Fate.ToString().ToLowerInvariant()}: {Construct}: {Message}";
}

/// <summary>One written file: where it goes (relative, as the source was) and its text.</summary>
public sealed record ImportedFile(string Path, string Text, int Documents);

public sealed record ImportResult(IReadOnlyList<ImportedFile> Files, IReadOnlyList<ImportNote> Notes)
{
    public bool Dropped => Notes.Any(n => n.Fate is ImportFate.Dropped or ImportFate.Error);
}
