using Semver;

namespace GitOps.Orchestrations.Core.Promotion;

/// <summary>
/// Which chart or tag versions a channel accepts, in the npm range syntax Helm users write:
/// an exact version (<c>1.2.3</c>), a wildcard (<c>1.2.x</c>), a caret (<c>^1.2</c>) or a
/// comparison set (<c>&gt;=1.2 &lt;2</c>). Versions that are not semantic versions never match.
/// </summary>
public sealed class VersionConstraint
{
    readonly SemVersionRange range;

    VersionConstraint(string text, SemVersionRange range)
    {
        Text = text;
        this.range = range;
    }

    public string Text { get; }

    public static bool TryParse(string text, out VersionConstraint? constraint, out string? error)
    {
        try
        {
            constraint = new VersionConstraint(text, SemVersionRange.ParseNpm(text));
            error = null;
            return true;
        }
        catch (FormatException e)
        {
            constraint = null;
            error = $"'{text}' is not a version constraint such as 1.2.3, 1.2.x, ^1.2 or >=1.2 <2: {e.Message}";
            return false;
        }
    }

    public static VersionConstraint Parse(string text) =>
        TryParse(text, out VersionConstraint? constraint, out string? error) ? constraint! : throw new FormatException(error);

    public bool Matches(string version) => TryVersion(version) is SemVersion parsed && range.Contains(parsed);

    /// <summary>The highest matching version by semver precedence, or null when none matches.</summary>
    public string? Newest(IEnumerable<string> versions) =>
        versions.Select(v => (Text: v, Version: TryVersion(v)))
            .Where(v => v.Version is not null && range.Contains(v.Version))
            .OrderByDescending(v => v.Version!, SemVersion.PrecedenceComparer)
            .Select(v => v.Text)
            .FirstOrDefault();

    /// <summary>Orders versions oldest first by semver precedence; non-semver versions go first.</summary>
    public static IEnumerable<string> InPrecedenceOrder(IEnumerable<string> versions) =>
        versions.OrderBy(v => TryVersion(v), Comparer<SemVersion?>.Create((a, b) => a is null ? (b is null ? 0 : -1) : b is null ? 1 : SemVersion.ComparePrecedence(a, b)));

    // Git tags are often written v1.2.3; the v is not part of the version.
    static SemVersion? TryVersion(string text) =>
        SemVersion.TryParse(text.StartsWith('v') ? text[1..] : text, SemVersionStyles.Strict, out SemVersion? version) ? version : null;

    public override string ToString() => Text;
}
