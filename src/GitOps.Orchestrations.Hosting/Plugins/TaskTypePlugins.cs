using System.Reflection;
using System.Runtime.Loader;
using GitOps.Orchestrations.Sdk;

namespace GitOps.Orchestrations.Hosting.Plugins;

/// <summary>A plugin folder that cannot be used as it is: the server does not start on half its task types.</summary>
public sealed class PluginException(string message, Exception? inner = null) : InvalidOperationException(message, inner);

/// <summary>
/// Loads custom task types from a plugin folder: every <c>NAME/NAME.dll</c> (a plugin published
/// with its dependencies into a folder of its own) and every <c>*.dll</c> directly inside. Each
/// plugin gets a load context of its own, so two plugins may depend on different versions of a
/// library; the SDK and the framework are shared with the host, so a task type is the host's type.
/// </summary>
public static class TaskTypePlugins
{
    /// <summary>The built-in task types and those of the plugin folder, if one is given.</summary>
    public static Engine.TaskTypes.TaskTypeRegistry Registry(string? folder) =>
        folder is null ? Engine.TaskTypes.TaskTypeRegistry.BuiltIn() : Engine.TaskTypes.TaskTypeRegistry.BuiltIn().With(Load(folder));

    public static IReadOnlyList<TaskTypeDefinition> Load(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new PluginException($"the plugin folder {folder} does not exist");
        }

        IEnumerable<string> assemblies = Directory.EnumerateFiles(folder, "*.dll")
            .Concat(Directory.EnumerateDirectories(folder).Select(d => Path.Combine(d, Path.GetFileName(d) + ".dll")).Where(File.Exists))
            .Order(StringComparer.Ordinal);
        var found = new List<TaskTypeDefinition>();
        foreach (string path in assemblies)
        {
            Assembly assembly;
            try
            {
                assembly = new PluginLoadContext(Path.GetFullPath(path)).LoadFromAssemblyPath(Path.GetFullPath(path));
            }
            catch (Exception e) when (e is BadImageFormatException or FileLoadException)
            {
                throw new PluginException($"{path} is not a .NET assembly this server can load: {e.Message}", e);
            }

            Type[] types;
            try
            {
                types = assembly.GetExportedTypes();
            }
            catch (Exception e) when (e is ReflectionTypeLoadException or FileNotFoundException or TypeLoadException)
            {
                throw new PluginException($"{path} needs an assembly it does not carry (publish the plugin with its dependencies): {e.Message}", e);
            }

            foreach (Type type in types.Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ICustomTaskType).IsAssignableFrom(t)))
            {
                try
                {
                    found.Add(TaskTypeDefinition.Of(type));
                }
                catch (ArgumentException e)
                {
                    throw new PluginException($"{path}: {e.Message}", e);
                }
            }
        }

        return found;
    }

    sealed class PluginLoadContext(string path) : AssemblyLoadContext(Path.GetFileNameWithoutExtension(path), isCollectible: false)
    {
        readonly AssemblyDependencyResolver resolver = new(path);

        protected override Assembly? Load(AssemblyName name)
        {
            // The host's copy of anything it already has (the SDK above all), so the task type's
            // interface is the one the engine knows; the plugin's own copy only of what it alone has.
            if (Default.Assemblies.Any(a => AssemblyName.ReferenceMatchesDefinition(name, a.GetName())) || name.Name == typeof(ICustomTaskType).Assembly.GetName().Name)
            {
                return null;
            }

            string? resolved = resolver.ResolveAssemblyToPath(name);
            return resolved is null ? null : LoadFromAssemblyPath(resolved);
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
            resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is string resolved ? LoadUnmanagedDllFromPath(resolved) : IntPtr.Zero;
    }
}
