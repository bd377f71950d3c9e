namespace GitOps.Orchestrations.Core.Model;

/// <summary>A 1-based place in a source file, as editors and compilers print it.</summary>
public readonly record struct SourcePosition(int Line, int Column)
{
    public static readonly SourcePosition Start = new(1, 1);

    public SourcePosition Offset(int columns) => this with { Column = Column + columns };

    public override string ToString() => $"{Line}:{Column}";
}
