using System.Globalization;
using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Core.Policies;

/// <summary>
/// Numbers as Kyverno compares them: plain numbers, Kubernetes quantities (<c>500m</c>, <c>2Gi</c>,
/// <c>1e3</c>) and durations (<c>30s</c>, <c>1h30m</c>), so that <c>&lt;=2Gi</c> holds for <c>512Mi</c>.
/// </summary>
public static class PolicyNumbers
{
    static readonly (string Suffix, decimal Factor)[] Suffixes =
    [
        ("Ki", 1024m), ("Mi", 1024m * 1024), ("Gi", 1024m * 1024 * 1024), ("Ti", 1024m * 1024 * 1024 * 1024),
        ("Pi", 1024m * 1024 * 1024 * 1024 * 1024), ("Ei", 1024m * 1024 * 1024 * 1024 * 1024 * 1024),
        ("n", 0.000000001m), ("u", 0.000001m), ("m", 0.001m), ("k", 1000m), ("M", 1000000m), ("G", 1000000000m),
        ("T", 1000000000000m), ("P", 1000000000000000m), ("E", 1000000000000000000m),
    ];

    public static bool TryParse(string text, out decimal value)
    {
        value = 0;
        text = text.Trim();
        if (text.Length is 0 or > 64)
        {
            return false;
        }

        if (TryQuantity(text, out value))
        {
            return true;
        }

        return TryDuration(text, out value);
    }

    /// <summary>
    /// Two values in one unit: both quantities, or else both durations in seconds, so that
    /// <c>1m</c> is a minute beside <c>30s</c> and a thousandth beside <c>2</c>.
    /// </summary>
    public static bool TryParsePair(string a, string b, out decimal x, out decimal y)
    {
        if (TryParse(a, out x) && TryParse(b, out y) && !(IsDurationOnly(a) || IsDurationOnly(b)))
        {
            return true;
        }

        y = 0;
        return TryDuration(a.Trim(), out x) && TryDuration(b.Trim(), out y);
    }

    static bool IsDurationOnly(string text)
    {
        string trimmed = text.Trim();
        return !TryQuantity(trimmed, out _) && TryDuration(trimmed, out _);
    }

    static bool TryQuantity(string text, out decimal value)
    {
        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        foreach ((string suffix, decimal factor) in Suffixes)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal)
                && decimal.TryParse(text[..^suffix.Length], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal number))
            {
                try
                {
                    value = number * factor;
                    return true;
                }
                catch (OverflowException)
                {
                    return false;
                }
            }
        }

        return false;
    }

    static bool TryDuration(string text, out decimal value)
    {
        value = 0;
        if (text.Length is 0 or > 64 || !char.IsAsciiDigit(text[0]) || !Durations.TryParse(text, out TimeSpan duration, out _))
        {
            return false;
        }

        value = (decimal)duration.TotalSeconds;
        return true;
    }
}
