/**
 * Who runs the app, and what the agent does to it: {@link dev.baton.agent.app.ProcessControl}, chosen by
 * {@code --process} and built by {@link dev.baton.agent.app.ProcessControlConfig#create}.
 *
 * <ul>
 *   <li>{@code process} ({@link dev.baton.agent.app.DirectProcessControl}, the default): the agent launches
 *       {@code current/<program>} itself, knows it by its pidfile checked against the recorded start time and
 *       executable ({@link dev.baton.agent.app.AppControl}), drains it with SIGTERM and hands off with
 *       {@code --handoff-signal}.</li>
 *   <li>{@code systemd} ({@link dev.baton.agent.app.SupervisorProcessControl} with
 *       {@link dev.baton.agent.app.SupervisorCommands#systemd}): the unit is the app. A unit that supports both
 *       restarts starts the app through {@code current}, sends the hand-off signal on reload and names its pidfile,
 *       which is how systemd follows the hand-off successor when the old main process exits:
 *       <pre>
 *       ExecStart=/var/lib/app/current/app -pidfile /run/app/app.pid -handoff-signal HUP
 *       ExecReload=/bin/kill -HUP $MAINPID
 *       PIDFile=/run/app/app.pid
 *       TimeoutStopSec=30
 *       </pre></li>
 *   <li>{@code command} (the same class with {@link dev.baton.agent.app.SupervisorCommands#operator}): the
 *       operator's commands, e.g. {@code sv -w 30 down DIR}, {@code sv up DIR}, {@code sv hup DIR},
 *       {@code sv status DIR}, or {@code supervisorctl -c CONF stop|start|pid app} and {@code signal HUP app}.
 *       runit and supervisord watch a single pid and start the app again once it exits, so after a hand-off the
 *       app they start must take the listener over from the successor (the demo app's {@code -takeover-socket}).</li>
 * </ul>
 *
 * Release switching is the same under all three: the restart switches {@code current} before it starts or signals
 * the app, so every supervisor's command line goes through {@code current}. Request values never become words of a
 * command: commands get BATON_VERSION, BATON_RELEASE_DIR, BATON_HOME and BATON_CURRENT in their environment.
 */
package dev.baton.agent.app;
