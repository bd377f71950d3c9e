using Microsoft.Extensions.Configuration;

namespace GitOps.Orchestrations.Api.Hooks;

/// <summary>Reads the <c>Hooks</c> section both hosts take; a hook without a secret or of an unknown type stops the start.</summary>
public static class HookSettings
{
    public static IReadOnlyDictionary<string, HookSpec> Read(IConfigurationSection section)
    {
        Dictionary<string, HookSpec> hooks = section.Get<Dictionary<string, HookSpec>>() ?? [];
        if (hooks.Select(h => h.Value.Problem(h.Key)).FirstOrDefault(p => p is not null) is string problem)
        {
            throw new ArgumentException(problem);
        }

        return new Dictionary<string, HookSpec>(hooks, StringComparer.Ordinal);
    }
}
