using System.Reflection;
using System.Text.RegularExpressions;

namespace GitOps.Orchestrations.Sdk;

/// <summary>A custom task type as a host registers it: its name and schema, read once, and the class to make for each call.</summary>
public sealed partial record TaskTypeDefinition
{
    TaskTypeDefinition(string name, IReadOnlyDictionary<string, TaskField> with, Type implementation)
    {
        if (!NamePattern().IsMatch(name))
        {
            throw new ArgumentException($"task type name '{name}' of {implementation.FullName} must be namespaced, such as acme/notify-cab: lower-case letters, digits and dashes, with one slash", nameof(name));
        }

        Name = name;
        With = with;
        Implementation = implementation;
    }

    public string Name { get; }

    public IReadOnlyDictionary<string, TaskField> With { get; }

    public Type Implementation { get; }

    public static TaskTypeDefinition Of<T>()
        where T : class, ICustomTaskType => new(T.Name, T.With, typeof(T));

    /// <summary>For a type found by reflection, such as one in a plugin assembly.</summary>
    public static TaskTypeDefinition Of(Type type)
    {
        if (!type.IsClass || type.IsAbstract || !typeof(ICustomTaskType).IsAssignableFrom(type))
        {
            throw new ArgumentException($"{type.FullName} is not a concrete class implementing {nameof(ICustomTaskType)}", nameof(type));
        }

        MethodInfo of = typeof(TaskTypeDefinition).GetMethods(BindingFlags.Public | BindingFlags.Static).Single(m => m.Name == nameof(Of) && m.IsGenericMethodDefinition);
        try
        {
            return (TaskTypeDefinition)of.MakeGenericMethod(type).Invoke(null, null)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?/[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?\\z")]
    private static partial Regex NamePattern();
}
