using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitOps.Orchestrations.Server.Authentication;

/// <summary>One configured key: whom it stands for, and the SHA-256 of the key (never the key itself).</summary>
public sealed record ApiKeyEntry
{
    public required string User { get; init; }

    public string Role { get; init; } = "viewer";

    public IReadOnlyList<string> Groups { get; init; } = [];

    /// <summary>Lower- or upper-case hex of SHA-256 over the key's UTF-8 bytes (<c>printf %s KEY | sha256sum</c>).</summary>
    public required string Sha256 { get; init; }
}

public sealed class ApiKeyOptions : AuthenticationSchemeOptions
{
    public ApiKeyRing Keys { get; set; } = ApiKeyRing.Fixed([]);
}

/// <summary>
/// Authenticates <c>X-Api-Key: KEY</c> or <c>Authorization: ApiKey KEY</c>. Keys are random and long,
/// so a plain SHA-256 is enough to keep them out of configuration; comparison is constant-time.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<ApiKeyOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<ApiKeyOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    public const string HeaderName = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? key = Request.Headers[HeaderName].FirstOrDefault();
        string? authorization = Request.Headers.Authorization.FirstOrDefault();
        if (key is null && authorization?.StartsWith("ApiKey ", StringComparison.OrdinalIgnoreCase) == true)
        {
            key = authorization["ApiKey ".Length..].Trim();
        }

        if (string.IsNullOrEmpty(key))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        ApiKeyEntry? match = null;
        foreach (ApiKeyEntry entry in Options.Keys.Current)
        {
            byte[] expected = TryHex(entry.Sha256);
            if (expected.Length == hash.Length && CryptographicOperations.FixedTimeEquals(expected, hash))
            {
                match = entry;
            }
        }

        if (match is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("unknown API key"));
        }

        List<Claim> claims = [new(ClaimTypes.Name, match.User), new(ClaimTypes.Role, match.Role), .. match.Groups.Select(g => new Claim("groups", g))];
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    static byte[] TryHex(string hex)
    {
        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return [];
        }
    }
}
