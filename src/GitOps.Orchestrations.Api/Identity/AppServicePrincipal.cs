using System.Security.Claims;
using System.Text;
using System.Text.Json;

namespace GitOps.Orchestrations.Api.Identity;

/// <summary>
/// App Service authentication ("Easy Auth") in front of a Functions app passes the signed-in
/// principal in the <c>X-MS-CLIENT-PRINCIPAL</c> header: base64 JSON of its claims. App Service
/// strips the header from client requests, so it can be trusted only where Easy Auth is on.
/// </summary>
public static class AppServicePrincipal
{
    public const string HeaderName = "X-MS-CLIENT-PRINCIPAL";

    public static ClaimsPrincipal? Read(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(header)));
            JsonElement root = document.RootElement;
            string authType = Text(root, "auth_typ") ?? "appservice";
            string nameType = Text(root, "name_typ") ?? ClaimTypes.Name;
            string roleType = Text(root, "role_typ") ?? ClaimTypes.Role;
            var claims = new List<Claim>();
            if (root.TryGetProperty("claims", out JsonElement list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement claim in list.EnumerateArray())
                {
                    if (Text(claim, "typ") is string type && Text(claim, "val") is string value)
                    {
                        claims.Add(new Claim(type, value));
                    }
                }
            }

            return new ClaimsPrincipal(new ClaimsIdentity(claims, authType, nameType, roleType));
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
