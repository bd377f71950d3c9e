using System.Security.Claims;

namespace GitOps.Orchestrations.Api.Identity;

/// <summary>Roles grow: an operator may do what a viewer may, an approver what an operator may.</summary>
public enum Role
{
    Viewer = 1,
    Operator = 2,
    Approver = 3,
}

/// <summary>Who is calling, as the host authenticated them: API key, bearer token or App Service principal.</summary>
public sealed record Caller(string User, Role Role, IReadOnlyList<string> Groups)
{
    /// <summary>Reads the caller from claims, whatever scheme produced them; null when not authenticated.</summary>
    public static Caller? From(ClaimsPrincipal principal)
    {
        if (principal.Identity is not { IsAuthenticated: true } identity)
        {
            return null;
        }

        string? user = identity.Name
            ?? First(principal, "name", "preferred_username", "sub", ClaimTypes.NameIdentifier);
        if (string.IsNullOrEmpty(user))
        {
            return null;
        }

        Role role = principal.Claims
            .Where(c => c.Type is ClaimTypes.Role or "role" or "roles" || c.Type == (identity as ClaimsIdentity)?.RoleClaimType)
            .Select(c => ParseRole(c.Value))
            .Max() ?? Role.Viewer;
        List<string> groups = principal.Claims.Where(c => c.Type == "groups").Select(c => c.Value).Distinct(StringComparer.Ordinal).ToList();
        return new Caller(user, role, groups);
    }

    /// <summary>
    /// A role claim names exactly one role. Enum parsing would also take numbers ("3") and
    /// comma lists ("viewer,operator"), which a token issuer never meant as approver.
    /// </summary>
    public static Role? ParseRole(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "viewer" => Role.Viewer,
        "operator" => Role.Operator,
        "approver" => Role.Approver,
        _ => null,
    };

    static string? First(ClaimsPrincipal principal, params string[] types) =>
        types.Select(t => principal.FindFirst(t)?.Value).FirstOrDefault(v => !string.IsNullOrEmpty(v));
}
