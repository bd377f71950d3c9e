using System.Globalization;
using System.Text;

namespace GitOps.Orchestrations.Core.Model;

/// <summary>
/// Durations as Kubernetes and Argo users write them: Go's <c>time.ParseDuration</c> units
/// (<c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>, chained as in <c>1h30m</c>), plus a bare number
/// of seconds, which Argo also accepts.
/// </summary>
public static class Durations
{
    public static bool TryParse(string? text, out TimeSpan value, out string? error)
    {
        value = TimeSpan.Zero;
        error = null;
        string s = (text ?? string.Empty).Trim();
        if (s.Length == 0)
        {
            error = "duration is empty";
            return false;
        }

        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double bareSeconds))
        {
            return FromSeconds(bareSeconds, s, out value, out error);
        }

        double total = 0;
        int i = 0;
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (start == i || !double.TryParse(s.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture, out double number))
            {
                error = $"invalid duration '{s}': expected a number at position {start + 1} (examples: 30s, 5m, 1h30m, 500ms)";
                return false;
            }

            int unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i]))
            {
                i++;
            }

            double? unitSeconds = s[unitStart..i] switch
            {
                "ms" => 0.001,
                "s" => 1,
                "m" => 60,
                "h" => 3600,
                _ => null,
            };
            if (unitSeconds is null)
            {
                error = $"invalid duration '{s}': unknown unit '{s[unitStart..i]}' (use ms, s, m or h)";
                return false;
            }

            total += number * unitSeconds.Value;
        }

        return FromSeconds(total, s, out value, out error);
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out TimeSpan value, out string? error) ? value : throw new FormatException(error);

    /// <summary>Formats the way the parser reads, so a round trip is exact: <c>1h30m</c>, <c>2s</c>, <c>250ms</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var text = new StringBuilder();
        if (value.Days > 0 || value.Hours > 0)
        {
            text.Append((int)value.TotalHours).Append('h');
        }

        if (value.Minutes > 0)
        {
            text.Append(value.Minutes).Append('m');
        }

        if (value.Seconds > 0)
        {
            text.Append(value.Seconds).Append('s');
        }

        if (value.Milliseconds > 0)
        {
            text.Append(value.Milliseconds).Append("ms");
        }

        return text.ToString();
    }

    static bool FromSeconds(double seconds, string text, out TimeSpan value, out string? error)
    {
        value = TimeSpan.Zero;
        error = null;
        if (double.IsNaN(seconds) || seconds < 0 || seconds > TimeSpan.FromDays(3650).TotalSeconds)
        {
            error = $"invalid duration '{text}': must be between 0 and 3650 days";
            return false;
        }

        value = TimeSpan.FromSeconds(seconds);
        return true;
    }
}
