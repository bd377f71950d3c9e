namespace GitOps.Orchestrations.Core.Policies;

/// <summary>Kyverno's wildcards: <c>*</c> for any run of characters, <c>?</c> for exactly one.</summary>
public static class Wildcard
{
    /// <summary>Linear in practice: one backtrack point, the last <c>*</c>, as a glob needs no more.</summary>
    public static bool Matches(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    public static bool HasWildcard(string pattern) => pattern.AsSpan().IndexOfAny('*', '?') >= 0;
}
