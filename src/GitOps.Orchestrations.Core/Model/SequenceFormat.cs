using System.Globalization;
using System.Text;

namespace GitOps.Orchestrations.Core.Model;

/// <summary>
/// The printf subset Argo users write in <c>withSequence.format</c>: one integer verb (<c>%d</c>,
/// <c>%x</c>, <c>%X</c> or <c>%o</c>) with an optional <c>0</c> flag and width, and <c>%%</c> for a
/// percent sign. Anything else is refused when the workflow is loaded, never guessed at.
/// </summary>
public static class SequenceFormat
{
    const int MaxWidth = 64;

    /// <summary>Why <paramref name="format"/> is not usable, or null when it is.</summary>
    public static string? Problem(string format)
    {
        int verbs = 0;
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%')
            {
                continue;
            }

            if (!TryVerb(format, ref i, out _, out _, out _))
            {
                return $"format '{format}' may use %d, %x, %X or %o (with an optional 0 flag and width) and %%";
            }

            verbs += format[i] == '%' ? 0 : 1;
        }

        return verbs == 1 ? null : $"format '{format}' must hold exactly one integer verb such as %d or %02x";
    }

    public static string Apply(string format, long value)
    {
        var text = new StringBuilder();
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%')
            {
                text.Append(format[i]);
                continue;
            }

            if (!TryVerb(format, ref i, out char verb, out bool zero, out int width))
            {
                throw new FormatException(Problem(format));
            }

            if (verb == '%')
            {
                text.Append('%');
                continue;
            }

            string digits = verb switch
            {
                'x' => Convert.ToString(Math.Abs(value), 16),
                'X' => Convert.ToString(Math.Abs(value), 16).ToUpperInvariant(),
                'o' => Convert.ToString(Math.Abs(value), 8),
                _ => Math.Abs(value).ToString(CultureInfo.InvariantCulture),
            };
            string sign = value < 0 ? "-" : string.Empty;
            int pad = width - sign.Length - digits.Length;
            text.Append(pad > 0 && !zero ? new string(' ', pad) : string.Empty)
                .Append(sign)
                .Append(pad > 0 && zero ? new string('0', pad) : string.Empty)
                .Append(digits);
        }

        return text.ToString();
    }

    static bool TryVerb(string format, ref int i, out char verb, out bool zero, out int width)
    {
        verb = '\0';
        zero = false;
        width = 0;
        int at = i + 1;
        if (at < format.Length && format[at] == '%')
        {
            i = at;
            verb = '%';
            return true;
        }

        if (at < format.Length && format[at] == '0')
        {
            zero = true;
            at++;
        }

        while (at < format.Length && char.IsAsciiDigit(format[at]))
        {
            width = (width * 10) + (format[at] - '0');
            if (width > MaxWidth)
            {
                return false;
            }

            at++;
        }

        if (at < format.Length && format[at] is 'd' or 'x' or 'X' or 'o')
        {
            verb = format[at];
            i = at;
            return true;
        }

        return false;
    }
}
