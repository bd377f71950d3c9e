using System.Text;
using System.Text.RegularExpressions;

namespace GitOps.Orchestrations.Core.Triggers;

/// <summary>
/// The path patterns of <c>triggers: [{git: {paths}}]</c>, as in GitHub Actions and Argo CD's
/// manifest-generate-paths: <c>*</c> stays within one folder, <c>**</c> crosses folders, and a
/// pattern ending in <c>/</c> matches everything below it.
/// </summary>
public static class PathGlob
{
    public static bool Matches(string pattern, string path)
    {
        string normalized = pattern.TrimStart('/');
        if (normalized.EndsWith('/'))
        {
            normalized += "**";
        }

        return ToRegex(normalized).IsMatch(path.TrimStart('/'));
    }

    public static bool MatchesAny(IEnumerable<string> patterns, IEnumerable<string> paths) =>
        patterns.Any(pattern => paths.Any(path => Matches(pattern, path)));

    static Regex ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                // "**/" also matches no folder at all, so "a/**/b" matches "a/b".
                bool slash = i + 2 < pattern.Length && pattern[i + 2] == '/';
                regex.Append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else if (c == '*')
            {
                regex.Append("[^/]*");
            }
            else if (c == '?')
            {
                regex.Append("[^/]");
            }
            else
            {
                regex.Append(Regex.Escape(c.ToString()));
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
    }
}
