using System.Text;

namespace GitOps.Orchestrations.Core.Manifests;

/// <summary>A line diff in unified style (<c>-</c> live, <c>+</c> desired, three lines of context), for people to read before applying.</summary>
public static class TextDiff
{
    public const int Context = 3;

    public static string Unified(string before, string after, string beforeLabel, string afterLabel)
    {
        string[] a = Lines(before);
        string[] b = Lines(after);
        List<(char Op, string Line)> script = Script(a, b);
        if (script.All(s => s.Op == ' '))
        {
            return string.Empty;
        }

        var text = new StringBuilder($"--- {beforeLabel}\n+++ {afterLabel}\n");
        var keep = new bool[script.Count];
        for (int i = 0; i < script.Count; i++)
        {
            if (script[i].Op != ' ')
            {
                for (int j = Math.Max(0, i - Context); j <= Math.Min(script.Count - 1, i + Context); j++)
                {
                    keep[j] = true;
                }
            }
        }

        bool gap = false;
        for (int i = 0; i < script.Count; i++)
        {
            if (!keep[i])
            {
                gap = true;
                continue;
            }

            if (gap && text.Length > 0 && text[^1] == '\n' && i > 0 && keep.Take(i).Any(k => k))
            {
                // Unchanged lines were left out between two hunks.
                text.Append("@@\n");
            }

            gap = false;
            text.Append(script[i].Op).Append(script[i].Line).Append('\n');
        }

        return text.ToString();
    }

    static string[] Lines(string text) => text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n');

    /// <summary>Longest common subsequence; manifests are a few hundred lines, so the quadratic table is fine.</summary>
    static List<(char, string)> Script(string[] a, string[] b)
    {
        var lengths = new int[a.Length + 1, b.Length + 1];
        for (int i = a.Length - 1; i >= 0; i--)
        {
            for (int j = b.Length - 1; j >= 0; j--)
            {
                lengths[i, j] = a[i] == b[j] ? lengths[i + 1, j + 1] + 1 : Math.Max(lengths[i + 1, j], lengths[i, j + 1]);
            }
        }

        var script = new List<(char, string)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                script.Add((' ', a[x++]));
                y++;
            }
            else if (x < a.Length && (y == b.Length || lengths[x + 1, y] >= lengths[x, y + 1]))
            {
                script.Add(('-', a[x++]));
            }
            else
            {
                script.Add(('+', b[y++]));
            }
        }

        return script;
    }
}
