using System.Security.Cryptography;
using System.Text;

namespace GitOps.Orchestrations.Api.Hooks;

/// <summary>
/// <c>sha256=&lt;hex&gt;</c>: HMAC-SHA256 of the raw body with the shared secret, the form GitHub
/// sends in <c>X-Hub-Signature-256</c> and the generic hooks take too. Compared in constant time.
/// </summary>
public static class HmacSignature
{
    const string Prefix = "sha256=";

    public static string Sign(byte[] body, string secret) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public static bool Matches(string? header, byte[] body, string secret)
    {
        if (header is null || !header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || header.Length != Prefix.Length + 64)
        {
            return false;
        }

        byte[] given;
        try
        {
            given = Convert.FromHexString(header.AsSpan(Prefix.Length));
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(given, HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
    }
}
