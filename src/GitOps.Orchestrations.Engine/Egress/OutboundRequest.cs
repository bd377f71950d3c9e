namespace GitOps.Orchestrations.Engine.Egress;

/// <summary>
/// Checks a request a workflow put together from templates before anything sends it. A CR or LF
/// in a header value would end the header and start another (or a second request on a kept-alive
/// connection), so control characters are refused in the URL, header names and header values.
/// </summary>
public static class OutboundRequest
{
    /// <summary>The first problem, naming the field it is in; null when the request may be sent.</summary>
    public static string? Problem(string method, string url, IReadOnlyDictionary<string, string> headers)
    {
        if (!IsToken(method))
        {
            return $"method '{Printable(method)}' is not an HTTP method";
        }

        if (url.Any(char.IsControl))
        {
            return $"url holds a control character ({Printable(url)}): refused";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? parsed) || parsed.Scheme is not ("http" or "https"))
        {
            return $"url '{Printable(url)}' is not an absolute http or https URL";
        }

        foreach (var (name, value) in headers)
        {
            if (!IsToken(name))
            {
                return $"headers: '{Printable(name)}' is not a valid header name";
            }

            // A horizontal tab is allowed inside a header value; every other control character is not.
            if (value.Any(c => char.IsControl(c) && c != '\t'))
            {
                return $"headers.{name} holds a control character ({Printable(value)}): refused";
            }
        }

        return null;
    }

    /// <summary>RFC 9110 token: the characters a method or a header name may hold.</summary>
    static bool IsToken(string text) =>
        text.Length > 0 && text.All(c => c is > ' ' and < '\u007f' && !"\"(),/:;<=>?@[\\]{}".Contains(c, StringComparison.Ordinal));

    /// <summary>Shows control characters as escapes, so a message can quote hostile text safely.</summary>
    public static string Printable(string text)
    {
        string shown = string.Concat(text.Take(120).Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
        return text.Length > 120 ? shown + "..." : shown;
    }
}
